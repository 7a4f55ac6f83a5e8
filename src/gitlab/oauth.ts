// OAuth 2 refresh (`POST /oauth/token`, grant_type=refresh_token) with Web standards only: fetch and form encoding.
import { z } from 'zod';
import { GitLabApiError } from '../errors.js';
import { describeErrorBody } from './error-body.js';

/** GitLab's answer (doc/api/oauth2.md): the access token lasts `expires_in` seconds (7200) from `created_at`. */
export const OAuthTokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive().default(7200),
  refresh_token: z.string().min(1),
  scope: z.string().optional(),
  created_at: z.number().optional(),
});
export type OAuthToken = z.infer<typeof OAuthTokenSchema>;

export interface RefreshOptions {
  /** Instance URL, e.g. `https://gitlab.com` (the token endpoint is outside `/api/v4`). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  redirectUri?: string | undefined;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Trades a refresh token for a new access token and a new refresh token. GitLab invalidates the old
 * access and refresh tokens as it answers, so the answer is the only copy of the new ones. A 400/401
 * (`invalid_grant`: the refresh token is used up, revoked, or the application's secret is wrong) is not
 * retryable; a 5xx or no answer is.
 */
export async function refreshAccessToken(options: RefreshOptions): Promise<OAuthToken> {
  const path = '/oauth/token';
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: options.refreshToken,
    client_id: options.clientId,
    client_secret: options.clientSecret,
    ...(options.redirectUri && { redirect_uri: options.redirectUri }),
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  let response: Response;
  let text: string;
  // Cleared once the answer is read: no timer outlives its request (on Workers it would belong to an ended invocation).
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  try {
    response = await (options.fetch ?? fetch)(`${options.baseUrl.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      signal: controller.signal,
    });
    text = await response.text();
  } catch (cause) {
    throw new GitLabApiError({ status: 0, method: 'POST', path, message: `could not reach GitLab (${cause instanceof Error ? cause.message : String(cause)})`, retryable: true, cause });
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok) {
    const retryable = response.status === 429 || response.status >= 500;
    throw new GitLabApiError({ status: response.status, method: 'POST', path, message: oauthError(response, text), retryable });
  }
  const parsed = OAuthTokenSchema.safeParse(safeJson(text));
  if (!parsed.success) throw new GitLabApiError({ status: 200, method: 'POST', path, message: 'unexpected answer from GitLab: no access_token and refresh_token', retryable: false });
  return parsed.data;
}

/** OAuth errors are `{"error": "invalid_grant", "error_description": "…"}` (RFC 6749 §5.2). */
function oauthError(response: Response, text: string): string {
  const body = safeJson(text) as { error?: unknown; error_description?: unknown } | undefined;
  if (body && typeof body.error === 'string') {
    return typeof body.error_description === 'string' ? `${body.error}: ${body.error_description}` : body.error;
  }
  return describeErrorBody(response.status, response.statusText, text);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

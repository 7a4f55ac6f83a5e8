// The token rulebot acts with, as GitLab describes it (`GET /personal_access_tokens/self`), and rotating it.
import { z } from 'zod';
import type { GitLabClient } from './client.js';

/**
 * A personal, project or group access token (doc/api/personal_access_tokens.md). `expires_at` is a
 * date (`YYYY-MM-DD`, the token stops working on that day) or null for a token that never expires.
 */
export const AccessTokenSchema = z.object({
  id: z.number(),
  name: z.string().optional(),
  scopes: z.array(z.string()),
  expires_at: z.string().nullable(),
  active: z.boolean().optional(),
  revoked: z.boolean().optional(),
});
export type AccessToken = z.infer<typeof AccessTokenSchema>;

/** GitLab returns the new token's value once, in the answer to the rotation, and never again. */
export const RotatedTokenSchema = AccessTokenSchema.extend({ token: z.string().min(1) });
export type RotatedToken = z.infer<typeof RotatedTokenSchema>;

/** Scopes that let a token rotate itself: `api`, or `self_rotate` (project and group tokens, newer GitLab). */
export const SELF_ROTATE_SCOPES = ['api', 'self_rotate'] as const;

/**
 * `GET /personal_access_tokens/self` (GitLab 15.5+): id, scopes and expiry of the token the request
 * carries. Works for personal, project and group access tokens.
 */
export function getTokenSelf(gitlab: GitLabClient): Promise<AccessToken> {
  return gitlab.request('GET', '/personal_access_tokens/self', { schema: AccessTokenSchema });
}

/**
 * `POST /personal_access_tokens/self/rotate` (GitLab 16.10+; `expires_at` since 16.6): revokes the token
 * the request carries and answers its successor. Rotating a token that was already rotated revokes the
 * successor too (GitLab's reuse detection, issue 524639), so callers must rotate one at a time.
 */
export function rotateTokenSelf(gitlab: GitLabClient, expiresAt: string): Promise<RotatedToken> {
  return gitlab.request('POST', '/personal_access_tokens/self/rotate', { body: { expires_at: expiresAt }, schema: RotatedTokenSchema });
}

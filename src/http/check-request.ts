// Refuses, before the body is read, requests whose URL carries a secret or whose headers are absurdly long.
import { MAX_SECRET_TOKEN_LENGTH } from '../config/secret-list.js';
import { PayloadError } from '../errors.js';

/**
 * Longest accepted value, in characters, of each header rulebot reads. GitLab sends UUIDs (36 characters),
 * a ten-digit timestamp and one 47-character signature; secret tokens are typically 32–64 characters.
 * Node itself answers 431 without a body when all headers together exceed 16 KB.
 */
export const HEADER_LIMITS: Readonly<Record<string, number>> = {
  'X-Gitlab-Token': MAX_SECRET_TOKEN_LENGTH,
  'Idempotency-Key': 256,
  'X-Gitlab-Event-UUID': 256,
  'webhook-id': 256,
  'webhook-timestamp': 32,
  'webhook-signature': 2048,
  'Content-Type': 256,
};

/** Query parameters that hold secrets in GitLab's and other tools' conventions. */
const SECRET_PARAMETERS = new Set(['token', 'private_token', 'access_token', 'job_token', 'secret', 'secret_token']);

/**
 * The secret parameter a query parameter name stands for, if any. Frameworks read more than the bare
 * name: `token[]`, `token[0]` and `token[x]` (Rails, PHP, qs; `%5B%5D` arrives decoded), a secret
 * nested in another name (`hook[token]`), spaces, dots or dashes in place of `_` (PHP reads
 * `private.token` as `private_token`), stray characters around it, any case, and a name encoded twice
 * (`token%255B%255D`) for a server that decodes twice. Each form puts the value in access logs all the same.
 */
function secretParameter(name: string): string | undefined {
  for (const form of [name, decodeOnce(name)]) {
    for (const part of form.split(/[[\]]/)) {
      const normalized = part.toLowerCase().replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').replace(/[ .-]/g, '_');
      if (SECRET_PARAMETERS.has(normalized)) return normalized;
    }
  }
  return undefined;
}

function decodeOnce(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Throws PayloadError `token_in_query` (400) when the URL carries a secret, and `header_too_large` (431)
 * when a header is longer than HEADER_LIMITS allows. Messages name the parameter or header, never its value.
 */
export function checkRequest(url: URL, headers: Headers): void {
  for (const name of url.searchParams.keys()) {
    const secret = secretParameter(name);
    if (secret !== undefined) {
      throw new PayloadError(
        'token_in_query',
        `the webhook URL carries a secret in query parameter "${secret}", which ends up in access logs: remove it from the URL ` +
          '(and rotate that secret), and enter the secret as "Secret token" in the GitLab webhook settings, which sends it as X-Gitlab-Token',
      );
    }
  }
  for (const [name, limit] of Object.entries(HEADER_LIMITS)) {
    const length = headers.get(name)?.length ?? 0;
    if (length > limit) {
      throw new PayloadError('header_too_large', `${name} header too long: expected at most ${limit} characters, got ${length}`);
    }
  }
}

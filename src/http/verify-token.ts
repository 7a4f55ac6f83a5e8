// Checks X-Gitlab-Token against the configured secrets without leaking, through timing, how much of one matched.
import { WebhookAuthError } from '../errors.js';

const encoder = new TextEncoder();

/**
 * Compares a received token with a secret in time that depends only on the secret's length: every
 * byte of the secret is visited whatever the token holds, without an early exit, so neither a common
 * prefix nor the token's length shows. Synchronous and allocation-light: it runs on every webhook.
 */
export function tokenMatches(given: Uint8Array, secret: Uint8Array): boolean {
  let difference = given.length ^ secret.length;
  const span = Math.max(given.length, 1);
  for (let i = 0; i < secret.length; i++) difference |= (given[i % span] ?? 0) ^ secret[i]!;
  return difference === 0;
}

/**
 * Builds the check for `X-Gitlab-Token`: it throws WebhookAuthError unless the token equals one of
 * `secrets` (several while a secret is rotated). Every secret is compared, so the time taken does
 * not tell which one matched.
 */
export function createTokenVerifier(secrets: readonly string[]): (token: string | undefined) => void {
  return createSecretVerifier(secrets, {
    missing: 'missing X-Gitlab-Token header: set the secret token in the GitLab webhook settings',
    invalid: 'X-Gitlab-Token does not match the configured secret',
  });
}

/**
 * The check for `GET /status`: `Authorization: Bearer <value>`, the value being the webhook's secret
 * token (or its signing token when only that is set), so that queue figures and the last GitLab error
 * are not shown to anyone who finds the URL.
 */
export function createBearerVerifier(secrets: readonly string[]): (authorization: string | undefined) => void {
  const verify = createSecretVerifier(secrets, {
    missing: 'missing "Authorization: Bearer <token>" header: use the value of GITLAB_WEBHOOK_SECRET or UI_TOKEN (or GITLAB_WEBHOOK_SIGNING_KEY when only that is set)',
    invalid: 'the bearer token does not match GITLAB_WEBHOOK_SECRET, UI_TOKEN or GITLAB_WEBHOOK_SIGNING_KEY',
  });
  return (authorization) => verify(/^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1]);
}

function createSecretVerifier(secrets: readonly string[], messages: { missing: string; invalid: string }): (token: string | undefined) => void {
  const expected = secrets.map((secret) => encoder.encode(secret));
  return (token) => {
    if (token === undefined || token === '') throw new WebhookAuthError('missing_token', messages.missing);
    const given = encoder.encode(token);
    let matched = false;
    for (const secret of expected) matched = tokenMatches(given, secret) || matched;
    if (!matched) throw new WebhookAuthError('invalid_token', messages.invalid);
  };
}

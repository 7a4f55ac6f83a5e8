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
  const expected = secrets.map((secret) => encoder.encode(secret));
  return (token) => {
    if (token === undefined || token === '') {
      throw new WebhookAuthError('missing_token', 'missing X-Gitlab-Token header: set the secret token in the GitLab webhook settings');
    }
    const given = encoder.encode(token);
    let matched = false;
    for (const secret of expected) matched = tokenMatches(given, secret) || matched;
    if (!matched) throw new WebhookAuthError('invalid_token', 'X-Gitlab-Token does not match the configured secret');
  };
}

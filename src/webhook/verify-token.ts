// Checks X-Gitlab-Token against the configured secret without leaking, through timing, how much of it matched.
import { WebhookAuthError } from '../errors.js';

const encoder = new TextEncoder();

/**
 * Compares in constant time: both values are hashed with SHA-256 (Web Crypto) and the digests are
 * compared byte by byte without an early exit, so neither the length nor a common prefix shows.
 */
export async function tokensEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(given)),
    crypto.subtle.digest('SHA-256', encoder.encode(expected)),
  ]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  let difference = 0;
  for (let i = 0; i < x.length; i++) difference |= x[i]! ^ y[i]!;
  return difference === 0;
}

/** Throws WebhookAuthError unless `token` equals `secret`. */
export async function verifyToken(token: string | undefined, secret: string): Promise<void> {
  if (token === undefined || token === '') {
    throw new WebhookAuthError('missing_token', 'missing X-Gitlab-Token header: set the secret token in the GitLab webhook settings');
  }
  if (!(await tokensEqual(token, secret))) {
    throw new WebhookAuthError('invalid_token', 'X-Gitlab-Token does not match the configured secret');
  }
}

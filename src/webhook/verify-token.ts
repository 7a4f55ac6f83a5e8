// Checks X-Gitlab-Token against the configured secrets without leaking, through timing, how much of one matched.
import { WebhookAuthError } from '../errors.js';
import { bytesEqual } from './constant-time.js';

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
  return bytesEqual(new Uint8Array(a), new Uint8Array(b));
}

/**
 * Throws WebhookAuthError unless `token` equals one of `secrets` (several while a secret is rotated).
 * Every secret is compared, so the time taken does not tell which one matched.
 */
export async function verifyToken(token: string | undefined, secrets: readonly string[]): Promise<void> {
  if (token === undefined || token === '') {
    throw new WebhookAuthError('missing_token', 'missing X-Gitlab-Token header: set the secret token in the GitLab webhook settings');
  }
  const matches = await Promise.all(secrets.map((secret) => tokensEqual(token, secret)));
  if (!matches.includes(true)) {
    throw new WebhookAuthError('invalid_token', 'X-Gitlab-Token does not match the configured secret');
  }
}

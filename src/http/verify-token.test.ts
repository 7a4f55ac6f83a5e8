import { describe, expect, it } from 'vitest';
import { WebhookAuthError } from '../errors.js';
import { createTokenVerifier, tokenMatches } from './verify-token.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('token check', () => {
  it('matches equal tokens only', () => {
    expect(tokenMatches(bytes('s3cret-value'), bytes('s3cret-value'))).toBe(true);
    expect(tokenMatches(bytes('s3cret-valuE'), bytes('s3cret-value'))).toBe(false);
    expect(tokenMatches(bytes('s3cret'), bytes('s3cret-value'))).toBe(false);
    expect(tokenMatches(bytes('s3cret-value-longer'), bytes('s3cret-value'))).toBe(false);
    // A token that repeats a prefix of the secret must not pass by wrapping around.
    expect(tokenMatches(bytes('ab'), bytes('abab'))).toBe(false);
    expect(tokenMatches(bytes(''), bytes('x'))).toBe(false);
  });

  it('accepts any of several secrets while one is rotated, and names what was wrong', () => {
    const verify = createTokenVerifier(['old-secret', 'new-secret']);
    expect(() => verify('old-secret')).not.toThrow();
    expect(() => verify('new-secret')).not.toThrow();
    expect(() => verify('other')).toThrow(new WebhookAuthError('invalid_token', 'X-Gitlab-Token does not match the configured secret'));
    expect(() => verify(undefined)).toThrow(/missing X-Gitlab-Token header/);
  });
});

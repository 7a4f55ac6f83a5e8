import { describe, expect, it } from 'vitest';
import { parseConfig, secretValues } from './config.js';
import { ConfigError } from '../errors.js';
import { splitSecrets } from './secret-list.js';

const KEY = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEW_KEY = 'whsec_c2lnbmluZy1rZXktYnl0ZXMtMDEyMzQ1Njc4OWFi';

describe('splitSecrets', () => {
  it('splits at commas, trimming blanks and dropping empty values', () => {
    expect(splitSecrets(' old-secret , new secret,, ')).toEqual(['old-secret', 'new secret']);
    expect(splitSecrets(undefined)).toEqual([]);
    expect(splitSecrets(' , ')).toEqual([]);
  });
});

describe('webhook secrets in the configuration', () => {
  const base = { GITLAB_TOKEN: 'glpat-token' };

  it('reads several secrets and signing keys for rotation', () => {
    const config = parseConfig({ ...base, GITLAB_WEBHOOK_SECRET: 'old-secret,new-secret', GITLAB_WEBHOOK_SIGNING_KEY: `${KEY}, ${NEW_KEY}` });
    expect(config.webhookSecrets).toEqual(['old-secret', 'new-secret']);
    expect(config.webhookSigningKeys).toEqual([KEY, NEW_KEY]);
  });

  it('accepts a signing key instead of a secret token, but not a list of blanks', () => {
    expect(parseConfig({ ...base, GITLAB_WEBHOOK_SIGNING_KEY: KEY }).webhookSecrets).toEqual([]);
    expect(() => parseConfig({ ...base, GITLAB_WEBHOOK_SECRET: ' , ' })).toThrow(/GITLAB_WEBHOOK_SECRET is required/);
  });

  it('refuses a signing key that is not whsec_ base64 without repeating it', () => {
    const bad = 'my-plain-secret-value';
    let error: unknown;
    try {
      parseConfig({ ...base, GITLAB_WEBHOOK_SECRET: 's3cret', GITLAB_WEBHOOK_SIGNING_KEY: `${KEY},${bad}` });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'invalid configuration: GITLAB_WEBHOOK_SIGNING_KEY: value 2 of 2 is not a signing token: expected "whsec_" followed by base64, ' +
        'as GitLab shows it in the webhook settings (the value is not repeated here)',
    );
    expect((error as Error).message).not.toContain(bad);
  });

  it('refuses a secret longer than rulebot accepts in X-Gitlab-Token', () => {
    expect(() => parseConfig({ ...base, GITLAB_WEBHOOK_SECRET: `ok,${'x'.repeat(1025)}` })).toThrow(
      'GITLAB_WEBHOOK_SECRET: value 2 of 2 is 1025 characters long; expected at most 1024',
    );
  });

  it('lists every value the logger must redact', () => {
    const config = parseConfig({ ...base, GITLAB_WEBHOOK_SECRET: 'old-secret,new-secret', GITLAB_WEBHOOK_SIGNING_KEY: KEY });
    expect(secretValues(config)).toEqual(
      expect.arrayContaining(['glpat-token', 'old-secret', 'new-secret', KEY, 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw']),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { configWarnings, parseConfig, secretValues } from './config.js';

describe('parseConfig', () => {
  it('explains a GITLAB_URL that ends in /api/v4', () => {
    expect(() => parseConfig({ GITLAB_URL: 'https://gitlab.example.com/api/v4' })).toThrow(ConfigError);
    expect(() => parseConfig({ GITLAB_URL: 'https://gitlab.example.com/api/v4/' })).toThrow(
      "GITLAB_URL: expected the instance's address as the browser shows it (https://gitlab.example.com); rulebot adds /api/v4 itself",
    );
    expect(parseConfig({ GITLAB_URL: 'https://example.com/gitlab/' }).gitlabUrl).toBe('https://example.com/gitlab');
  });

  it('bounds bodies in flight to 100 MiB unless told otherwise', () => {
    expect(parseConfig({}).maxBodyBytesInFlight).toBe(104_857_600);
    expect(parseConfig({ MAX_BODY_BYTES_IN_FLIGHT: '1000000' }).maxBodyBytesInFlight).toBe(1_000_000);
  });

  it('reads each project\'s .gitlab/rulebot.yml unless told another file, or off', () => {
    expect(parseConfig({})).toMatchObject({ projectConfigFile: '.gitlab/rulebot.yml', projectConfigTtlMs: 300_000 });
    expect(parseConfig({ PROJECT_CONFIG_FILE: 'ci/bot.yaml', PROJECT_CONFIG_TTL_SECONDS: '60' })).toMatchObject({ projectConfigFile: 'ci/bot.yaml', projectConfigTtlMs: 60_000 });
    expect(parseConfig({ PROJECT_CONFIG_FILE: 'off' }).projectConfigFile).toBeUndefined();
    expect(() => parseConfig({ PROJECT_CONFIG_FILE: '../rulebot.yml' })).toThrow(
      'PROJECT_CONFIG_FILE: expected a path inside the repository such as .gitlab/rulebot.yml (no leading "/", no "." or ".." parts), or off (got "../rulebot.yml")',
    );
  });
});

describe('configWarnings', () => {
  it('warns about each short webhook secret, by position, never by value', () => {
    const config = parseConfig({ GITLAB_WEBHOOK_SECRET: 'short, a-long-enough-random-secret-value' });
    expect(configWarnings(config)).toEqual([
      'GITLAB_WEBHOOK_SECRET: value 1 of 2 is 5 characters long; a secret shorter than 16 characters can be guessed: use a random one of 32 or more',
    ]);
  });
});

describe('credential variables', () => {
  const base = { GITLAB_TOKEN: 'glpat-x', GITLAB_WEBHOOK_SECRET: 'a-webhook-secret-for-tests' };

  it('refuses a CI job token, naming what it cannot do, except for commands that only read', () => {
    expect(() => parseConfig({ ...base, GITLAB_TOKEN_TYPE: 'job' })).toThrow(/a CI\/CD job token cannot do what rulebot does.*cannot edit merge requests or issues, comment on them/s);
    expect(parseConfig({ ...base, GITLAB_TOKEN_TYPE: 'job' }, { readOnly: true }).tokenType).toBe('job');
  });

  it('reads the watched webhook, asking for exactly one place', () => {
    expect(parseConfig({ ...base, GITLAB_HOOK_ID: '7', GITLAB_HOOK_GROUP: 'gitlab-org' }).hookWatch).toEqual({ hookId: 7, project: undefined, group: 'gitlab-org' });
    expect(() => parseConfig({ ...base, GITLAB_HOOK_ID: '7' })).toThrow(/GITLAB_HOOK_ID: expected exactly one of GITLAB_HOOK_PROJECT .* got neither/);
    // A place alone watches nothing: it is where `rulebot hooks` looks, to find the hook's id.
    expect(parseConfig({ ...base, GITLAB_HOOK_PROJECT: 'a/b' }).hookWatch).toBeUndefined();
    expect(() => parseConfig({ ...base, GITLAB_HOOK_PROJECT: 'a/b', GITLAB_HOOK_GROUP: 'g' })).toThrow(/expected one of them, got both/);
  });

  it('needs all three OAuth variables, and only with GITLAB_TOKEN_TYPE=oauth', () => {
    const oauth = { GITLAB_OAUTH_CLIENT_ID: 'id', GITLAB_OAUTH_CLIENT_SECRET: 'secret-of-the-app', GITLAB_OAUTH_REFRESH_TOKEN: 'refresh-token-value' };
    const config = parseConfig({ GITLAB_WEBHOOK_SECRET: base.GITLAB_WEBHOOK_SECRET, GITLAB_TOKEN_TYPE: 'oauth', ...oauth });
    expect(config).toMatchObject({ dryRun: false, gitlabToken: undefined, gitlabCredential: 'refresh-token-value', oauth: { clientId: 'id' } });
    expect(secretValues(config)).toEqual(expect.arrayContaining(['secret-of-the-app', 'refresh-token-value']));
    expect(() => parseConfig({ ...base, ...oauth })).toThrow(/GITLAB_OAUTH_\*: set only with GITLAB_TOKEN_TYPE=oauth/);
    expect(() => parseConfig({ ...base, GITLAB_TOKEN_TYPE: 'oauth', GITLAB_OAUTH_CLIENT_ID: 'id' })).toThrow(/missing GITLAB_OAUTH_CLIENT_SECRET, GITLAB_OAUTH_REFRESH_TOKEN/);
  });

  it('refuses to rotate sooner than a new token lasts, and never shows TOKEN_STORE_KEY', () => {
    expect(() => parseConfig({ ...base, TOKEN_ROTATE_BEFORE_DAYS: '30', TOKEN_LIFETIME_DAYS: '30' })).toThrow(/TOKEN_ROTATE_BEFORE_DAYS: expected fewer days than TOKEN_LIFETIME_DAYS \(30\), got 30/);
    expect(() => parseConfig({ ...base, TOKEN_STORE_KEY: 'short' })).toThrow('TOKEN_STORE_KEY: expected at least 16 characters (for example `openssl rand -hex 32`) (got a value that is not shown)');
    expect(() => parseConfig({ ...base, TOKEN_LIFETIME_DAYS: '400' })).toThrow(/TOKEN_LIFETIME_DAYS/);
  });

  it('warns that an OAuth access token without a way to refresh it lasts two hours', () => {
    expect(configWarnings(parseConfig({ ...base, GITLAB_TOKEN_TYPE: 'oauth' }))).toEqual([expect.stringMatching(/an OAuth access token lasts 2 hours/)]);
  });
});

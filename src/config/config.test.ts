import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { configWarnings, parseConfig } from './config.js';

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

import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { ConfigError } from '../errors.js';
import { displayUrl } from './instance-url.js';

/** The message parseConfig throws for these variables. */
function configError(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('GITLAB_URL', () => {
  it('accepts the address of an instance, on a path or a port', () => {
    expect(parseConfig({ GITLAB_URL: 'https://gitlab.example.com/gitlab/' }).gitlabUrl).toBe('https://gitlab.example.com/gitlab');
    expect(parseConfig({ GITLAB_URL: 'http://127.0.0.1:8929' }).gitlabUrl).toBe('http://127.0.0.1:8929');
  });

  it('refuses a user name or password without printing either', () => {
    const message = configError({ GITLAB_URL: 'https://rulebot:hunter2-password@gitlab.example.com' });
    expect(message).toBe(
      'invalid configuration: GITLAB_URL: expected the address of the GitLab instance without a user name or password, ' +
        'such as https://gitlab.example.com: put the token in GITLAB_TOKEN (got "https://***@gitlab.example.com")',
    );
    expect(configError({ GITLAB_URL: 'https://:hunter2-password@gitlab.example.com' })).not.toContain('hunter2');
  });

  it('refuses a query or fragment without printing it', () => {
    const message = configError({ GITLAB_URL: 'https://gitlab.example.com/?private_token=glpat-in-query' });
    expect(message).toContain('GITLAB_URL: expected the address of the GitLab instance without a query or fragment');
    expect(message).toContain('(got "https://gitlab.example.com/?…")');
    expect(message).not.toContain('glpat');
  });

  it('prints no credentials of an address it cannot read at all', () => {
    for (const value of ['ftp://rulebot:hunter2-password@gitlab.example.com', 'rulebot:hunter2-password@gitlab.example.com', 'https:/rulebot:hunter2@p@ss@host']) {
      const message = configError({ GITLAB_URL: value });
      expect(message, value).toMatch(/^invalid configuration: GITLAB_URL: Invalid URL \(got ".*\*\*\*@[^@]*"\)$/);
      expect(message, value).not.toContain('hunter2');
      expect(message, value).not.toContain('rulebot:');
    }
  });
});

describe('displayUrl', () => {
  it('hides what stands before the last @ of the address, and any query or fragment', () => {
    expect(displayUrl('https://bot:glpat-x@gitlab.example.com/?private_token=y')).toBe('https://***@gitlab.example.com/?…');
    expect(displayUrl('https://gitlab.example.com/gitlab')).toBe('https://gitlab.example.com/gitlab');
    expect(displayUrl('https:\\\\bot:p@ss@gitlab.example.com')).toBe('https:\\\\***@gitlab.example.com');
    expect(displayUrl('https://gitlab.example.com#token')).toBe('https://gitlab.example.com?…');
  });
});

import { describe, expect, it } from 'vitest';
import { canRotateItself, daysLeft, expiryDate, rotationDue, scopeProblem } from './token-facts.js';

const NOON = Date.parse('2026-05-01T12:00:00Z');

describe('token expiry', () => {
  it('counts whole days until 00:00 UTC of the expiry date, when GitLab stops accepting the token', () => {
    expect(daysLeft('2026-05-04', NOON)).toBe(2);
    expect(daysLeft('2026-05-02', NOON)).toBe(0);
    expect(daysLeft('2026-05-01', NOON)).toBe(-1);
  });

  it('is due for rotation within the days given, never for a token without expiry', () => {
    expect(rotationDue('2026-05-15', NOON, 14)).toBe(true);
    expect(rotationDue('2026-05-16', NOON, 14)).toBe(false);
    expect(rotationDue(null, NOON, 14)).toBe(false);
    expect(rotationDue(undefined, NOON, 14)).toBe(false);
  });

  it('asks for a date as GitLab writes it', () => {
    expect(expiryDate(NOON, 90)).toBe('2026-07-30');
  });
});

describe('token scopes', () => {
  it('needs api to act, read_api to only read', () => {
    expect(scopeProblem(['api'], false)).toBeUndefined();
    expect(scopeProblem(['read_api'], true)).toBeUndefined();
    expect(scopeProblem(['read_api', 'self_rotate'], false)).toBe(
      "GITLAB_TOKEN has the scopes read_api, self_rotate, but rulebot's rules edit merge requests and issues and post comments, " +
        'which needs the api scope: create a token with the api scope (Settings > Access tokens, Developer role) and set it as GITLAB_TOKEN',
    );
  });

  it('rotates itself with api or self_rotate', () => {
    expect(canRotateItself(['api'])).toBe(true);
    expect(canRotateItself(['read_api', 'self_rotate'])).toBe(true);
    expect(canRotateItself(['read_api'])).toBe(false);
  });
});

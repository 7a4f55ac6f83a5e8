import { describe, expect, it } from 'vitest';
import { GitLabApiError } from '../errors.js';
import { GitLabClient } from './client.js';
import { describeErrorBody } from './error-body.js';
import { nextLink } from './pagination.js';
import { backoffDelay, requestedDelay } from './retry-delay.js';

describe('retry delays', () => {
  it('grows exponentially with full jitter, capped', () => {
    const options = { baseDelayMs: 500, maxDelayMs: 30_000 };
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, options, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(10, options, () => 1)).toBe(30_000);
    expect(backoffDelay(3, options, () => 0.5)).toBe(2000);
  });

  it('honours Retry-After in seconds or as a date, then RateLimit-Reset', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(requestedDelay(new Headers({ 'retry-after': '7' }), now)).toBe(7000);
    expect(requestedDelay(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(requestedDelay(new Headers({ 'ratelimit-remaining': '0', 'ratelimit-reset': String(now / 1000 + 12) }), now)).toBe(12_000);
    expect(requestedDelay(new Headers({ 'ratelimit-remaining': '5', 'ratelimit-reset': String(now / 1000 + 12) }), now)).toBeUndefined();
    expect(requestedDelay(new Headers(), now)).toBeUndefined();
  });
});

describe('pagination headers', () => {
  it('finds rel="next" among the links GitLab sends', () => {
    const link =
      '<https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=1&per_page=3>; rel="prev", ' +
      '<https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=3&per_page=3>; rel="next", ' +
      '<https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=1&per_page=3>; rel="first"';
    expect(nextLink(link)).toBe('https://gitlab.example.com/api/v4/projects/8/issues/8/notes?page=3&per_page=3');
    expect(nextLink('<https://x/a?page=1>; rel="first"')).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });
});

describe('GitLab error bodies', () => {
  it('reads message strings, field maps and error strings', () => {
    expect(describeErrorBody(404, 'Not Found', '{"message":"404 Project Not Found"}')).toBe('404 Project Not Found');
    expect(describeErrorBody(400, 'Bad Request', '{"message":{"labels":["is invalid"],"title":["is too long","is blank"]}}')).toBe(
      '400 Bad Request: labels is invalid; title is too long, is blank',
    );
    expect(describeErrorBody(400, 'Bad Request', '{"error":"body is missing"}')).toBe('body is missing');
    expect(describeErrorBody(502, 'Bad Gateway', '<html>bad gateway</html>')).toBe('502 Bad Gateway: <html>bad gateway</html>');
    expect(describeErrorBody(503, 'Service Unavailable', '')).toBe('503 Service Unavailable');
  });
});

describe('GitLab error bodies of any size', () => {
  const bytes = (text: string) => new TextEncoder().encode(text).byteLength;
  const TOKEN = 'glpat-secret-token-value';
  const huge = (text: string) => `${text} ${'x'.repeat(5 * 1024 * 1024)}`;

  it('keeps at most 1 KB of a message and 256 bytes of any other body, saying how long it was', () => {
    const message = describeErrorBody(400, 'Bad Request', JSON.stringify({ message: huge('title is too long') }));
    expect(bytes(message)).toBeLessThanOrEqual(1024);
    expect(message).toMatch(/^title is too long x+… \(5242898 bytes, cut\)$/);
    const page = describeErrorBody(502, 'Bad Gateway', huge('<html>'));
    expect(bytes(page)).toBeLessThanOrEqual(256);
    expect(page).toMatch(/^502 Bad Gateway: <html> x+… \(\d+ bytes, cut\)$/);
  });

  it('reaches the error raised by the client redacted and cut', async () => {
    const body = JSON.stringify({ message: huge(`token ${TOKEN} may not edit this; webhook-secret-value`) });
    const gitlab = new GitLabClient({
      baseUrl: 'https://gitlab.example.com',
      token: TOKEN,
      secrets: ['webhook-secret-value'],
      fetch: async () => new Response(body, { status: 403, statusText: 'Forbidden' }),
    });
    const error = await gitlab.request('PUT', '/projects/1/merge_requests/1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GitLabApiError);
    const { message } = error as GitLabApiError;
    expect(message).toMatch(/^PUT \/projects\/1\/merge_requests\/1: token \[redacted\] may not edit this; \[redacted\] x+… \(\d+ bytes, cut\)$/);
    expect(bytes(message)).toBeLessThanOrEqual(1024 + 40);
  });
});

describe('credentials that change', () => {
  it('sends a request refused with 401 once more with the newer token its source has, and only once', async () => {
    const sent: (string | null)[] = [];
    const fetch = async (_url: string | URL | Request, init?: RequestInit) => {
      const token = new Headers(init?.headers).get('private-token');
      sent.push(token);
      return new Response(token === 'new' ? '{"id":1}' : '{"message":"401 Unauthorized"}', { status: token === 'new' ? 200 : 401 });
    };
    let current = 'old';
    const source = {
      current: async () => ({ token: current, type: 'private' as const }),
      rejected: async (used: { token: string }) => (used.token === 'old' ? ((current = 'new'), { token: 'new', type: 'private' as const }) : undefined),
    };
    const client = new GitLabClient({ baseUrl: 'https://gitlab.example', credentials: source, fetch: fetch as typeof globalThis.fetch });
    expect(await client.request('GET', '/user')).toEqual({ id: 1 });
    expect(sent).toEqual(['old', 'new']);

    // A source with nothing newer: the 401 stands, after one attempt.
    sent.length = 0;
    current = 'revoked';
    await expect(client.request('GET', '/user')).rejects.toMatchObject({ status: 401 });
    expect(sent).toEqual(['revoked']);
  });
});

// The fake's tokens: expiry and scopes, self-rotation with reuse detection, OAuth refresh-token rotation.

import { describe, expect } from 'vitest';
import { call, test } from './test-fixture.js';

const FAR = '2099-01-01';

describe('GET /personal_access_tokens/self', () => {
  test('describes the token the request carries', async ({ gitlab }) => {
    gitlab.addToken({ token: 'glpat-a', id: 7, scopes: ['api', 'read_user'], expires_at: FAR });
    const response = await call(gitlab, 'GET', '/personal_access_tokens/self', { auth: false, headers: { 'PRIVATE-TOKEN': 'glpat-a' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 7, scopes: ['api', 'read_user'], expires_at: FAR, active: true, revoked: false });
  });

  test('refuses an expired token with 401', async ({ gitlab }) => {
    gitlab.addToken({ token: 'glpat-old', expires_at: '2020-01-01' });
    const response = await call(gitlab, 'GET', '/personal_access_tokens/self', { auth: false, headers: { 'PRIVATE-TOKEN': 'glpat-old' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: '401 Unauthorized' });
  });
});

describe('POST /personal_access_tokens/self/rotate', () => {
  const rotate = (gitlab: Parameters<typeof call>[0], token: string, expires_at?: string) =>
    call(gitlab, 'POST', '/personal_access_tokens/self/rotate', { auth: false, headers: { 'PRIVATE-TOKEN': token }, ...(expires_at && { json: { expires_at } }) });

  test('revokes the token and answers its successor once, with the expiry asked for', async ({ gitlab }) => {
    gitlab.addToken({ token: 'glpat-a', scopes: ['api'], expires_at: '2099-01-01' });
    const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const response = await rotate(gitlab, 'glpat-a', inAMonth);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { token: string; expires_at: string; scopes: string[] };
    expect(body).toMatchObject({ expires_at: inAMonth, scopes: ['api'], active: true });
    expect(gitlab.tokenActive('glpat-a')).toBe(false);
    expect(gitlab.tokenActive(body.token)).toBe(true);
    expect((await call(gitlab, 'GET', '/user', { auth: false, headers: { 'PRIVATE-TOKEN': 'glpat-a' } })).status).toBe(401);
  });

  test('revokes the successor too when the rotated token is used to rotate again (GitLab issue 524639)', async ({ gitlab }) => {
    gitlab.addToken({ token: 'glpat-a', scopes: ['api'] });
    const first = (await (await rotate(gitlab, 'glpat-a')).json()) as { token: string };
    const again = await rotate(gitlab, 'glpat-a');
    expect(again.status).toBe(401);
    expect(gitlab.tokenActive(first.token)).toBe(false);
  });

  test('refuses a token without api or self_rotate with 403, and an expiry past the longest lifetime with 400', async ({ gitlab }) => {
    gitlab.addToken({ token: 'glpat-read', scopes: ['read_api'] });
    gitlab.addToken({ token: 'glpat-b', scopes: ['self_rotate', 'read_api'] });
    expect((await rotate(gitlab, 'glpat-read')).status).toBe(403);
    const tooLate = await rotate(gitlab, 'glpat-b', '2999-01-01');
    expect(tooLate.status).toBe(400);
    expect(await tooLate.json()).toEqual({ message: expect.stringMatching(/^400 Bad request - Expiration date must be before \d{4}-\d{2}-\d{2}$/) });
    expect(gitlab.tokenActive('glpat-b')).toBe(true);
  });
});

describe('POST /oauth/token', () => {
  const refresh = (gitlab: Parameters<typeof call>[0], refreshToken: string, secret = 'app-secret') =>
    fetch(`${gitlab.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'app', client_secret: secret }).toString(),
    });

  test('trades a refresh token for a 2-hour access token and a new refresh token, spending the old one', async ({ gitlab }) => {
    gitlab.addOAuthApplication({ client_id: 'app', client_secret: 'app-secret', refresh_token: 'r0' });
    const response = await refresh(gitlab, 'r0');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; refresh_token: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 7200 });
    expect((await call(gitlab, 'GET', '/user', { auth: false, headers: { authorization: `Bearer ${body.access_token}` } })).status).toBe(200);
    const reused = await refresh(gitlab, 'r0');
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
    const next = (await (await refresh(gitlab, body.refresh_token)).json()) as { access_token: string };
    // The access token issued with a refresh token stops working at the next refresh.
    expect(gitlab.tokenActive(body.access_token)).toBe(false);
    expect(gitlab.tokenActive(next.access_token)).toBe(true);
    expect(gitlab.oauthApplication('app')?.refreshes).toBe(2);
  });

  test('refuses an unknown client with 401 invalid_client', async ({ gitlab }) => {
    gitlab.addOAuthApplication({ client_id: 'app', client_secret: 'app-secret', refresh_token: 'r0' });
    const response = await refresh(gitlab, 'r0', 'wrong');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });
});

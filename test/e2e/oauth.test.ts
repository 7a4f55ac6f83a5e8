// End to end on both runtimes: OAuth access tokens refreshed before they expire and after a 401, the rotated
// refresh token kept (sealed) across a restart, one refresh for events racing it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload, WELCOME_RULES } from '../support/events.js';
import { FakeGitLab } from '../support/fake-gitlab.js';
import { BOT, startHarness, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';
import { filesHolding, linesHolding } from '../support/secrets-at-rest.js';

const OAUTH_ENV = {
  GITLAB_TOKEN: undefined,
  GITLAB_TOKEN_TYPE: 'oauth',
  GITLAB_OAUTH_CLIENT_ID: 'rulebot-app',
  GITLAB_OAUTH_CLIENT_SECRET: 'rulebot-app-secret',
  GITLAB_OAUTH_REFRESH_TOKEN: 'refresh-token-as-first-issued',
};

let harnesses: Harness[] = [];
let gitlab: FakeGitLab | undefined;
let stateDir: string | undefined;
afterEach(async () => {
  for (const h of harnesses) await h.close().catch(() => {});
  harnesses = [];
  await gitlab?.stop();
  gitlab = undefined;
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
  stateDir = undefined;
});

async function fakeGitLab(now?: () => number) {
  gitlab = new FakeGitLab({ token: 'not-used-by-these-tests', botUser: BOT, ...(now && { now: () => new Date(now()) }) });
  await gitlab.start();
  gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  for (let iid = 1; iid <= 6; iid++) gitlab.addMergeRequest({ project_id: 1, iid, labels: [] });
  gitlab.addOAuthApplication({ client_id: 'rulebot-app', client_secret: 'rulebot-app-secret', refresh_token: OAUTH_ENV.GITLAB_OAUTH_REFRESH_TOKEN });
  stateDir = await mkdtemp(join(tmpdir(), 'rulebot-state-'));
  return gitlab;
}

const app = (gitlab: FakeGitLab) => gitlab.oauthApplication('rulebot-app')!;
/** The bearer tokens the API requests carried, in order. */
const bearers = (gitlab: FakeGitLab) => gitlab.requests.filter((r) => r.path !== '/oauth/token').map((r) => r.headers['authorization']);

describe.each(RUNTIMES)('OAuth ($name)', (runtime) => {
  const start = async () => {
    const h = await runtime.start({ gitlab, stateDir, rules: { 'welcome.yml': WELCOME_RULES }, env: OAUTH_ENV });
    harnesses.push(h);
    return h;
  };

  it('refreshes after a 401, makes one refresh for events racing it, and keeps the new refresh token, sealed, across a restart', async () => {
    const gitlab = await fakeGitLab();
    const first = await start();
    expect(app(gitlab).refreshes).toBe(1);
    const initial = app(gitlab).access_token!;
    gitlab.clearRequests();
    await first.post(mergeRequestPayload({ iid: 1, labels: [] }));
    await first.settle();
    expect(app(gitlab).refreshes).toBe(1);
    expect(new Set(bearers(gitlab))).toEqual(new Set([`Bearer ${initial}`]));
    expect(gitlab.mergeRequest(1, 1)?.labels).toEqual(['triaged']);

    // Revoked under rulebot (GitLab can): the 401 makes one refresh, and the request is sent again.
    gitlab.revokeToken(initial);
    gitlab.clearRequests();
    await first.post(mergeRequestPayload({ iid: 2, labels: [] }));
    await first.settle();
    expect(app(gitlab).refreshes).toBe(2);
    expect(gitlab.mergeRequest(1, 2)?.labels).toEqual(['triaged']);
    const afterRevoke = app(gitlab).access_token!;
    expect(bearers(gitlab)[0]).toBe(`Bearer ${initial}`);
    expect(bearers(gitlab).slice(1).every((bearer) => bearer === `Bearer ${afterRevoke}`)).toBe(true);

    // Two events at once meet a revoked token: one refresh serves both.
    gitlab.revokeToken(afterRevoke);
    await Promise.all([first.post(mergeRequestPayload({ iid: 3, labels: [] })), first.post(mergeRequestPayload({ iid: 4, labels: [] }))]);
    await first.settle();
    expect(app(gitlab).refreshes).toBe(3);
    expect([gitlab.mergeRequest(1, 3)?.labels, gitlab.mergeRequest(1, 4)?.labels]).toEqual([['triaged'], ['triaged']]);
    const status = await first.status();
    expect(status.gitlab_token).toMatchObject({ type: 'oauth', token_expires_at: expect.any(String) });
    expect(status.gitlab_token.minutes_left).toBeGreaterThanOrEqual(118);
    await first.close();

    // The environment still holds the first refresh token, spent long ago: the stored one is used.
    const second = await start();
    expect(app(gitlab).refreshes).toBe(3);
    gitlab.revokeToken(app(gitlab).access_token!);
    await second.post(mergeRequestPayload({ iid: 5, labels: [] }));
    await second.settle();
    expect(app(gitlab).refreshes).toBe(4);
    expect(gitlab.mergeRequest(1, 5)?.labels).toEqual(['triaged']);

    const secrets = [OAUTH_ENV.GITLAB_OAUTH_REFRESH_TOKEN, OAUTH_ENV.GITLAB_OAUTH_CLIENT_SECRET, app(gitlab).refresh_token, app(gitlab).access_token!, initial, ...app(gitlab).spent];
    expect(await filesHolding(stateDir!, secrets)).toEqual([]);
    expect(linesHolding([...first.logs, ...second.logs], secrets)).toEqual([]);
  });

  it('refuses to start with a refresh token GitLab refuses, saying how to get a new one', async () => {
    await fakeGitLab();
    const env = { ...OAUTH_ENV, GITLAB_OAUTH_REFRESH_TOKEN: 'a-refresh-token-gitlab-never-issued' };
    await expect(runtime.start({ gitlab, stateDir, env })).rejects.toThrow(
      /OAuth credentials no longer work: GitLab refused the refresh token \(POST \/oauth\/token: invalid_grant: .*\)\. To recover: authorise the application again/,
    );
  });
});

// Moves rulebot's clock (and the fake's) by two hours: on the Worker, the harness moves only the fake's.
describe('OAuth on Node', () => {
  it('refreshes a 2-hour access token before it expires, with no request refused on the way', async () => {
    let now = Date.parse('2026-05-01T08:00:00Z');
    const gitlab = await fakeGitLab(() => now);
    const h = await startHarness({ gitlab, stateDir, now: () => now, rules: { 'welcome.yml': WELCOME_RULES }, env: OAUTH_ENV });
    harnesses.push(h);
    expect(app(gitlab).refreshes).toBe(1);
    const initial = app(gitlab).access_token!;

    now += 60 * 60_000; // an hour in: still fresh
    await h.post(mergeRequestPayload({ iid: 1, labels: [] }));
    await h.settle();
    expect(app(gitlab).refreshes).toBe(1);

    now += 57 * 60_000; // 3 minutes before it expires: refreshed first, the old one is still valid
    expect(gitlab.tokenActive(initial)).toBe(true);
    gitlab.clearRequests();
    await h.post(mergeRequestPayload({ iid: 2, labels: [] }));
    await h.settle();
    expect(app(gitlab).refreshes).toBe(2);
    expect(new Set(bearers(gitlab))).toEqual(new Set([`Bearer ${app(gitlab).access_token}`]));
    expect(gitlab.mergeRequest(1, 2)?.labels).toEqual(['triaged']);
  });
});

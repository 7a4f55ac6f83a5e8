// End to end on both runtimes: the token rulebot acts with is known, rotated before it expires (once), sealed at
// rest, kept across a restart, and shown in /status.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload, WELCOME_RULES } from '../support/events.js';
import { FakeGitLab } from '../support/fake-gitlab.js';
import { BOT, startHarness, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';
import { fileCount, filesHolding, linesHolding } from '../support/secrets-at-rest.js';

const DAY = 86_400_000;
const date = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const ORIGINAL = 'glpat-original-token-expiring-soon';

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

async function fakeGitLab(token: { expires_at: string | null; scopes?: string[] }) {
  gitlab = new FakeGitLab({ token: 'not-used-by-these-tests', botUser: BOT });
  await gitlab.start();
  gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  for (let iid = 1; iid <= 3; iid++) gitlab.addMergeRequest({ project_id: 1, iid, labels: [] });
  const original = gitlab.addToken({ token: ORIGINAL, expires_at: token.expires_at, scopes: token.scopes ?? ['api'] });
  stateDir = await mkdtemp(join(tmpdir(), 'rulebot-state-'));
  return { gitlab, original };
}

/** The tokens of the original's line: the original, then one per rotation. */
const line = (gitlab: FakeGitLab, family: number) => gitlab.tokens().filter((token) => token.family === family);

describe.each(RUNTIMES)('tokens ($name)', (runtime) => {
  const start = async (env: Record<string, string | undefined> = {}) => {
    const h = await runtime.start({ gitlab, stateDir, rules: { 'welcome.yml': WELCOME_RULES }, env: { GITLAB_TOKEN: ORIGINAL, ...env } });
    harnesses.push(h);
    return h;
  };

  it('rotates a token expiring in 3 days once, acts with the new one, keeps it across a restart, and never keeps or logs it in plain text', async () => {
    const { gitlab, original } = await fakeGitLab({ expires_at: date(3) });
    const first = await start();

    const [, rotated] = line(gitlab, original.family);
    expect(line(gitlab, original.family)).toHaveLength(2);
    expect(gitlab.tokenActive(ORIGINAL)).toBe(false);
    expect(rotated).toMatchObject({ expires_at: date(90), scopes: ['api'] });

    expect((await first.post(mergeRequestPayload({ iid: 1, labels: [] }))).status).toBe(202);
    await first.settle();
    expect(gitlab.mergeRequest(1, 1)?.labels).toEqual(['triaged']);
    const sent = gitlab.requests.filter((request) => request.path.startsWith('/projects/'));
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) expect(request.headers['private-token']).toBe(rotated!.token);

    const status = await first.status();
    expect(status.gitlab_token).toMatchObject({ type: 'private', token_expires_at: date(90), rotation: 'auto', scopes: ['api'] });
    expect(status.gitlab_token.days_left).toBeGreaterThanOrEqual(89);
    expect(status.gitlab_token.rotated_at).toEqual(expect.any(String));
    await first.close();

    // The operator's environment still names the original token, which GitLab revoked: the stored one is used.
    const second = await start();
    gitlab.clearRequests();
    expect((await second.post(mergeRequestPayload({ iid: 2, labels: [] }))).status).toBe(202);
    await second.settle();
    expect(gitlab.mergeRequest(1, 2)?.labels).toEqual(['triaged']);
    for (const request of gitlab.requests) expect(request.headers['private-token']).toBe(rotated!.token);
    expect(line(gitlab, original.family)).toHaveLength(2);
    expect((await second.status()).gitlab_token.token_expires_at).toBe(date(90));

    const secrets = [ORIGINAL, rotated!.token];
    expect(await fileCount(stateDir!)).toBeGreaterThan(0);
    expect(await filesHolding(stateDir!, secrets)).toEqual([]);
    expect(linesHolding([...first.logs, ...second.logs], secrets)).toEqual([]);
  });

  it('rotates when GitLab says the token expires soon (expiring_access_token), and not for another token', async () => {
    const { gitlab, original } = await fakeGitLab({ expires_at: date(60) });
    const h = await start();
    expect(line(gitlab, original.family)).toHaveLength(1);
    const event = (id: number, expires: string) => ({
      object_kind: 'access_token',
      project: { id: 1, name: 'gitlab-test', path_with_namespace: 'gitlabhq/gitlab-test', web_url: 'https://gitlab.example/gitlabhq/gitlab-test' },
      object_attributes: { user_id: BOT.id, created_at: '2026-01-01 00:00:00 UTC', id, name: 'rulebot', expires_at: expires },
      event_name: 'expiring_access_token',
    });
    const header = { 'x-gitlab-event': 'Resource Access Token Hook' };
    expect((await h.post(event(original.id + 500, date(60)), header)).status).toBe(202);
    await h.settle();
    expect(line(gitlab, original.family)).toHaveLength(1);
    expect((await h.post(event(original.id, date(60)), header)).status).toBe(202);
    await h.settle();
    expect(line(gitlab, original.family)).toHaveLength(2);
    expect(gitlab.tokenActive(line(gitlab, original.family)[1]!.token)).toBe(true);
    // The same event sent again names a token that is gone: no second rotation.
    expect((await h.post(event(original.id, date(60)), header)).status).toBe(202);
    await h.settle();
    expect(line(gitlab, original.family)).toHaveLength(2);
  });

  it('refuses to start with a token whose scopes cannot edit merge requests, saying which scope it needs', async () => {
    await fakeGitLab({ expires_at: date(200), scopes: ['read_api'] });
    await expect(start()).rejects.toThrow(/GITLAB_TOKEN has the scopes read_api, but rulebot's rules edit merge requests and issues and post comments, which needs the api scope/);
  });

  it('refuses to start with a CI job token, naming what it cannot do', async () => {
    await fakeGitLab({ expires_at: null });
    await expect(start({ GITLAB_TOKEN_TYPE: 'job' })).rejects.toThrow(/GITLAB_TOKEN_TYPE=job: a CI\/CD job token cannot do what rulebot does.*cannot edit merge requests or issues/s);
  });
});

// Two events side by side in one process: the Node queue runs them at once; the Worker's consumer runs a batch in turn.
describe('tokens on Node', () => {
  it('sends a request once more with the new token when the token was rotated while GitLab was answering it', async () => {
    const { gitlab, original } = await fakeGitLab({ expires_at: date(60) });
    const h = await startHarness({ gitlab, stateDir, rules: { 'welcome.yml': WELCOME_RULES }, env: { GITLAB_TOKEN: ORIGINAL } });
    harnesses.push(h);
    gitlab.inject({ method: 'PUT', path: '/projects/1/merge_requests/1', delayMs: 300 });
    await h.post(mergeRequestPayload({ iid: 1, labels: [] }));
    await expect.poll(() => gitlab.calls('PUT')).toHaveLength(1);
    // While GitLab takes its time over that PUT, GitLab says the token expires soon, and rulebot rotates it.
    await h.post({
      object_kind: 'access_token',
      project: { id: 1, name: 'gitlab-test', path_with_namespace: 'gitlabhq/gitlab-test', web_url: 'https://gitlab.example/gitlabhq/gitlab-test' },
      object_attributes: { user_id: BOT.id, created_at: '2026-01-01 00:00:00 UTC', id: original.id, name: 'rulebot', expires_at: date(60) },
      event_name: 'expiring_access_token',
    }, { 'x-gitlab-event': 'Resource Access Token Hook' });
    await h.settle();

    const rotated = line(gitlab, original.family)[1]!;
    expect(gitlab.calls('PUT').map((request) => request.headers['private-token'])).toEqual([ORIGINAL, rotated.token]);
    expect(gitlab.mergeRequest(1, 1)?.labels).toEqual(['triaged']);
    expect((await h.status()).queue).toMatchObject({ depth: 0, dead_letters: 0 });
  });
});

describe('tokens on Node, when the token is revoked by someone', () => {
  it('keeps events waiting, says what to do in /readyz, and runs them once started with a new token', async () => {
    const { gitlab } = await fakeGitLab({ expires_at: date(200) });
    const first = await startHarness({ gitlab, stateDir, rules: { 'welcome.yml': WELCOME_RULES }, env: { GITLAB_TOKEN: ORIGINAL } });
    harnesses.push(first);
    gitlab.revokeToken(ORIGINAL);
    expect((await first.post(mergeRequestPayload({ iid: 1, labels: [] }))).status).toBe(202);
    await expect.poll(async () => (await first.fetch('/readyz')).status).toBe(503);
    const ready = await (await first.fetch('/readyz')).json();
    expect(ready.checks.credential).toMatch(/^rulebot's GitLab token no longer works: GitLab refuses it \(.*401 Unauthorized\)\. It was revoked, or it expired\.\nTo recover:/);
    const { queue } = await first.status();
    expect(queue).toMatchObject({ depth: 1, dead_letters: 0 });
    await first.close();

    gitlab.addToken({ token: 'glpat-new-from-the-operator', expires_at: date(200) });
    const second = await startHarness({ gitlab, stateDir, rules: { 'welcome.yml': WELCOME_RULES }, env: { GITLAB_TOKEN: 'glpat-new-from-the-operator' } });
    harnesses.push(second);
    await second.settle();
    expect(gitlab.mergeRequest(1, 1)?.labels).toEqual(['triaged']);
    expect((await second.fetch('/readyz')).status).toBe(200);
  });
});

// End to end: GitLab failing in every way it does; every acknowledged event's actions happen exactly once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload, WELCOME_RULES, withoutMarker } from '../support/events.js';
import { runCli } from '../../src/runtime/node/cli/run.js';
import { BOT, startHarness, type NodeHarness as Harness } from '../support/harness.js';

const rules = WELCOME_RULES;

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ rules: { 'welcome.yml': rules }, timeoutMs: 300 });
  h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  for (let iid = 1; iid <= 6; iid++) h.gitlab.addMergeRequest({ project_id: 1, iid, labels: [] });
});
afterEach(async () => h.close());

/** Polls `done` every 20 ms until it holds (vitest's timeout bounds the wait). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
}

async function openAll(iids: number[]) {
  for (const iid of iids) expect((await h.post(mergeRequestPayload({ iid, labels: [] }))).status).toBe(202);
  await h.settle();
}

function expectEachOnce(iids: number[]) {
  for (const iid of iids) {
    expect(h.gitlab.mergeRequest(1, iid)?.labels, `!${iid}`).toEqual(['triaged']);
    const comments = h.gitlab.notes(1, 'MergeRequest', iid).filter((n) => n.author_id === BOT.id).map((n) => withoutMarker(n.body));
    expect(comments, `!${iid}`).toEqual([`Thanks for !${iid}.`]);
  }
}

describe('faults', () => {
  it('rides out 500s longer than the client retries, retrying the event later', async () => {
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 500, times: 8 });
    h.gitlab.inject({ method: 'POST', path: /merge_requests\/2\/notes$/, status: 502, times: 7 });
    await openAll([1, 2, 3]);
    expectEachOnce([1, 2, 3]);
    // The retried event of !2 did not send again the edit its first attempt had made.
    expect(h.gitlab.calls('PUT', /merge_requests\/2$/)).toHaveLength(1);
  });

  it('holds back only the merge request that keeps failing: the others of its project are acted on meanwhile, each once', async () => {
    for (let iid = 7; iid <= 9; iid++) h.gitlab.addMergeRequest({ project_id: 1, iid, labels: [] });
    const others = [2, 3, 4, 5, 6, 7, 8, 9];
    // !1's edit fails for as long as GitLab is broken for it; it is sent first, so everything else arrives behind it.
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 502, times: 100_000 });
    for (const iid of [1, ...others]) expect((await h.post(mergeRequestPayload({ iid, labels: [] }))).status).toBe(202);
    await until(() => others.every((iid) => h.gitlab.notes(1, 'MergeRequest', iid).some((n) => n.author_id === BOT.id)));
    expectEachOnce(others);
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual([]);
    expect(h.gitlab.calls('PUT', /merge_requests\/1$/).length).toBeGreaterThan(0);

    h.gitlab.clearFaults();
    await h.settle();
    expectEachOnce([1, ...others]);
    expect(await h.status()).toMatchObject({ queue: { depth: 0, dead_letters: 0 } });
  });

  it('does not let a slow answer hold the only worker: other merge requests are acted on while it is awaited', async () => {
    await h.close();
    h = await startHarness({ rules: { 'welcome.yml': rules }, timeoutMs: 10_000, env: { QUEUE_CONCURRENCY: '1' } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    for (let iid = 1; iid <= 4; iid++) h.gitlab.addMergeRequest({ project_id: 1, iid, labels: [] });
    // !1's edit is answered after 4 s, well within the client's timeout: an attempt that is slow, not failing.
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, delayMs: 4_000, times: 1 });
    for (const iid of [1, 2, 3, 4]) expect((await h.post(mergeRequestPayload({ iid, labels: [] }))).status).toBe(202);
    await until(() => [2, 3, 4].every((iid) => h.gitlab.notes(1, 'MergeRequest', iid).some((n) => n.author_id === BOT.id)));
    // The others were done while !1's edit was still awaited (its comment comes after the edit).
    expect(h.gitlab.notes(1, 'MergeRequest', 1)).toEqual([]);
    await h.settle();
    expectEachOnce([1, 2, 3, 4]);
  });

  it('waits out 429s with and without rate-limit headers', async () => {
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 429, headers: { 'retry-after': '0' }, times: 2 });
    h.gitlab.inject({ method: 'POST', path: /merge_requests\/2\/notes$/, status: 429, times: 2 });
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/3$/, status: 429, headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': '0' } });
    await openAll([1, 2, 3]);
    expectEachOnce([1, 2, 3]);
  });

  it('lets other calls go while a limit on creating notes holds the comments (a 429 without RateLimit-Name)', async () => {
    // GitLab's application limits (notes, issues…) answer 429 with Retry-After only; its per-user limit names itself.
    h.gitlab.inject({ method: 'POST', path: /merge_requests\/1\/notes$/, status: 429, headers: { 'retry-after': '3' }, times: 1 });
    expect((await h.post(mergeRequestPayload({ iid: 1, labels: [] }))).status).toBe(202);
    await until(() => h.gitlab.calls('POST', /merge_requests\/1\/notes$/).length === 1);
    expect((await h.post(mergeRequestPayload({ iid: 2, labels: [] }))).status).toBe(202);
    await until(() => h.gitlab.mergeRequest(1, 2)?.labels.includes('triaged') === true);
    // !2's edit went at once; the comments wait for the limit's 3 s.
    expect(h.gitlab.calls('POST', /merge_requests\/1\/notes$/)).toHaveLength(1);
    await h.settle();
    expectEachOnce([1, 2]);
  });

  it('does not post a comment twice when GitLab took it but the answer never came', async () => {
    // GitLab stores the comment, then the answer is lost: a timeout and a connection reset.
    h.gitlab.inject({ method: 'POST', path: /merge_requests\/1\/notes$/, delayMs: 600, times: 1 });
    h.gitlab.inject({ method: 'POST', path: /merge_requests\/2\/notes$/, reset: true, times: 1 });
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/3$/, reset: true, times: 2 });
    await openAll([1, 2, 3, 4]);
    expectEachOnce([1, 2, 3, 4]);
    // !1's comment was not there yet at the first look: rulebot waited for it instead of posting again.
    expect(h.logs.some((line) => line.includes('may still be in the making'))).toBe(true);
  });

  it('keeps a permanent failure as a dead letter that can be replayed', async () => {
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/5$/, status: 403, body: { message: '403 Forbidden' } });
    await openAll([4, 5]);
    expectEachOnce([4]);
    const status = await h.status();
    expect(status.queue).toMatchObject({ depth: 0, dead_letters: 1 });

    const [letter] = await h.server.bot.store.deadLetters();
    expect(letter?.reason).toBe('labels (rule "welcome") refused: PUT /projects/1/merge_requests/5: 403 Forbidden');
    await h.server.bot.retryDeadLetter(letter!.job.id);
    await h.settle();
    expectEachOnce([4, 5]);
    expect((await h.status()).queue).toMatchObject({ depth: 0, dead_letters: 0 });
  });

  it('lists dead letters with their reason on the command line, and replays one', async () => {
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/6$/, status: 404, body: { message: '404 Merge Request Not Found' } });
    await h.post(mergeRequestPayload({ iid: 6, labels: [] }), { 'idempotency-key': 'poisoned-6' });
    await h.settle();

    const env = { DATA_DIR: h.server.config.dataDir };
    const lines: string[] = [];
    expect(await runCli(['dead-letters'], env, (line) => lines.push(line))).toBe(0);
    expect(lines[0]).toMatch(/^poisoned-6 {2}\S+Z {2}merge_request\.open {2}project 1 {2}after 1 attempt\(s\) {2}labels \(rule "welcome"\) refused: PUT \/projects\/1\/merge_requests\/6: 404 Merge Request Not Found$/);
    expect(lines[1]).toBe(`1 dead letter in ${env.DATA_DIR} (replay one with --retry ID)`);

    lines.length = 0;
    expect(await runCli(['dead-letters', '--retry', 'poisoned-6'], env, (line) => lines.push(line))).toBe(0);
    expect(lines[0]).toBe('poisoned-6: queued again; a running rulebot picks it up within seconds, otherwise at its next start');
    // The running server polls the store; resume() is that poll.
    await h.server.bot.resume();
    await h.settle();
    expectEachOnce([6]);
    expect(await runCli(['dead-letters', '--retry', 'poisoned-6'], env, () => {})).toBe(1);
    // A mistyped DATA_DIR is said, not shown as an empty list from a database made on the spot.
    const mistyped: string[] = [];
    expect(await runCli(['dead-letters'], { DATA_DIR: `${env.DATA_DIR}-typo` }, (line) => mistyped.push(line))).toBe(1);
    expect(mistyped).toEqual([expect.stringMatching(/^rulebot dead-letters: no rulebot database in .*-typo: set DATA_DIR to the directory rulebot keeps its state in$/)]);
  });

  it('counts the attempts of an event given up the same on the command line as in its reason', async () => {
    await h.close();
    h = await startHarness({ rules: { 'welcome.yml': rules }, env: { GITLAB_RETRIES: '0', RETRY_GIVE_UP_AFTER_SECONDS: '0.001' } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [] });
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 502, times: Infinity });
    await h.post(mergeRequestPayload({ iid: 1, labels: [] }), { 'idempotency-key': 'given-up-1' });
    await h.settle();

    expect(h.gitlab.calls('PUT')).toHaveLength(3);
    const lines: string[] = [];
    expect(await runCli(['dead-letters'], { DATA_DIR: h.server.config.dataDir }, (line) => lines.push(line))).toBe(0);
    expect(lines[0]).toMatch(/ {2}after 3 attempt\(s\) {2}gave up after 3 attempts: PUT \/projects\/1\/merge_requests\/1: 502 Bad Gateway$/);
  });

  it('gives a replayed dead letter a full retry window of its own', async () => {
    await h.close();
    let now = Date.parse('2026-06-01T12:00:00Z');
    h = await startHarness({ rules: { 'welcome.yml': rules }, now: () => now });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 6, labels: [] });
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/6$/, status: 404, body: { message: '404 Merge Request Not Found' } });
    await h.post(mergeRequestPayload({ iid: 6, labels: [] }), { 'idempotency-key': 'late-6' });
    await h.settle();
    // Replayed two days after it was first accepted, and GitLab fails once more, briefly.
    now += 2 * 86_400_000;
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/6$/, status: 502, times: 6 });
    expect(await h.server.bot.retryDeadLetter('late-6')).toBe(true);
    await h.settle();
    expectEachOnce([6]);
    expect((await h.server.bot.store.queueStats()).dead_letters).toBe(0);
  });
});

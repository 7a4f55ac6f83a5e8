// Crash test: the real server as a child process, killed with SIGKILL mid-stream and restarted on the same data.
import { afterEach, describe, expect, it } from 'vitest';
import { slowGitLab, startRulebot, type Child, type SlowGitLab } from '../support/child-process.js';
import { readStatus, SECRET } from '../support/harness.js';

const EVENTS = 40;

let child: Child | undefined;
let slow: SlowGitLab | undefined;
afterEach(async () => {
  child?.process.kill('SIGKILL');
  await slow?.gitlab.stop();
});

describe('crash', () => {
  it('acts on every acknowledged event exactly once across a SIGKILL and a restart', async () => {
    // A slow GitLab keeps events in flight when the kill comes: some commented, some half done, some queued.
    slow = await slowGitLab({ count: EVENTS, delayMs: 15, concurrency: 4 });
    const { gitlab, env } = slow;

    const first = await startRulebot(env);
    child = first.child;
    const acknowledged: number[] = [];
    for (let iid = 1; iid <= EVENTS; iid++) {
      if ((await slow.deliver(first.url, iid)) === 202) acknowledged.push(iid);
      // Kill once a few comments exist: the rest of the stream meets a dead server.
      if (iid === EVENTS / 2) {
        await expect.poll(() => gitlab.calls('POST').length, { timeout: 10_000 }).toBeGreaterThan(2);
        child.process.kill('SIGKILL');
        await child.exited;
      }
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(EVENTS / 2);
    const doneBeforeRestart = acknowledged.filter((iid) => slow!.labels(iid)?.includes('triaged')).length;
    expect(doneBeforeRestart).toBeLessThan(acknowledged.length);

    const second = await startRulebot(env);
    child = second.child;
    await expect
      .poll(async () => (await readStatus((path, init) => fetch(`${second.url}${path}`, init), SECRET)).queue.depth, { timeout: 20_000 })
      .toBe(0);

    for (const iid of acknowledged) {
      expect(slow.labels(iid), `!${iid}`).toEqual(['triaged']);
      expect(slow.comments(iid), `!${iid}`).toEqual([`Thanks for !${iid}.`]);
    }
    const status = await readStatus((path, init) => fetch(`${second.url}${path}`, init), SECRET);
    expect(status.queue.dead_letters).toBe(0);
  }, 60_000);

  it('on SIGTERM refuses new deliveries with 503, finishes what is under way, exits 0, and keeps the rest', async () => {
    // GitLab slow enough that the call under way at SIGTERM is still running when the next delivery arrives.
    slow = await slowGitLab({ count: 10, delayMs: 400, concurrency: 1 });
    const { gitlab, env } = slow;
    const first = await startRulebot(env);
    child = first.child;
    for (let iid = 1; iid <= 10; iid++) expect(await slow.deliver(first.url, iid)).toBe(202);
    await expect.poll(() => gitlab.calls('PUT').length, { timeout: 10_000 }).toBeGreaterThan(0);

    child.process.kill('SIGTERM');
    await expect
      .poll(async () => (await fetch(`${first.url}/webhooks/gitlab`, { method: 'POST', headers: { 'x-gitlab-token': SECRET }, body: '{}' }).catch(() => undefined))?.status)
      .toBe(503);
    expect(await child.exited).toBe(0);
    const doneAtStop = Array.from({ length: 10 }, (_, i) => slow!.labels(i + 1)).filter((labels) => labels?.includes('triaged')).length;
    expect(doneAtStop).toBeLessThan(10);

    const second = await startRulebot(env);
    child = second.child;
    await expect.poll(() => gitlab.notes(1, 'MergeRequest', 10).length, { timeout: 20_000 }).toBe(1);
    for (let iid = 1; iid <= 10; iid++) expect(gitlab.notes(1, 'MergeRequest', iid), `!${iid}`).toHaveLength(1);
  }, 60_000);
});

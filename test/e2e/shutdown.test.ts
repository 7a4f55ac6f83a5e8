// SIGTERM while GitLab is slow: the stop fits in the grace period and logs no error, and a restart completes every event once.
import { afterEach, expect, it } from 'vitest';
import { slowGitLab, startRulebot, type Child, type SlowGitLab } from '../support/child-process.js';
import { readStatus, SECRET } from '../support/harness.js';

let child: Child | undefined;
let slow: SlowGitLab | undefined;
afterEach(async () => {
  child?.process.kill('SIGKILL');
  await slow?.gitlab.stop();
});

it('stops within SHUTDOWN_GRACE_SECONDS with comments in flight, exits 0 without an error, and the restart posts each comment once', async () => {
  // Four projects run side by side; the first four comments take GitLab 12 s, longer than the 2 s grace
  // period and than the 10 s rulebot used to wait whatever it was told.
  slow = await slowGitLab({ count: 8, projects: 4, delayMs: 200, slowComments: { ms: 12_000, times: 4 }, concurrency: 4 });
  const { gitlab } = slow;
  const env = { ...slow.env, SHUTDOWN_GRACE_SECONDS: '2' };
  const first = await startRulebot(env);
  child = first.child;
  for (let iid = 1; iid <= 8; iid++) expect(await slow.deliver(first.url, iid)).toBe(202);
  await expect.poll(() => gitlab.calls('POST', /\/notes$/).length, { timeout: 10_000 }).toBe(4);

  const signalled = Date.now();
  child.process.kill('SIGTERM');
  expect(await child.exited).toBe(0);
  // Generous against a loaded machine, and still below the 10 s rulebot used to wait.
  expect(Date.now() - signalled).toBeLessThan(8_000);
  expect(child.logs.find((line) => line.msg === 'stopping')).toBeDefined();
  expect(child.logs.find((line) => line.msg?.startsWith('stopping with events in progress'))).toBeDefined();
  expect(child.logs.filter((line) => line.level === 'error')).toEqual([]);

  // GitLab, slow but not down, makes the four comments it was sent; only then is rulebot started again.
  const botComments = () => Array.from({ length: 8 }, (_, i) => slow!.comments(i + 1).length).reduce((a, b) => a + b, 0);
  await expect.poll(botComments, { timeout: 20_000 }).toBe(4);
  const second = await startRulebot(env);
  child = second.child;
  const status = () => readStatus((path, init) => fetch(`${second.url}${path}`, init), SECRET);
  await expect.poll(async () => (await status()).queue.depth, { timeout: 30_000 }).toBe(0);
  for (let iid = 1; iid <= 8; iid++) {
    expect(slow.labels(iid), `!${iid}`).toEqual(['triaged']);
    expect(slow.comments(iid), `!${iid}`).toEqual([`Thanks for !${iid}.`]);
  }
  expect((await status()).queue.dead_letters).toBe(0);
}, 60_000);

// Two processes on one DATA_DIR: the second processes nothing until the first stops, then takes over; or, told to, refuses to start.
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runCli } from '../../src/runtime/node/cli/run.js';
import { slowGitLab, spawnRulebot, startRulebot, type Child, type SlowGitLab } from '../support/child-process.js';
import { readStatus, SECRET } from '../support/harness.js';

const children: Child[] = [];
let slow: SlowGitLab | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
  await slow?.gitlab.stop();
});

const waitingForDataDir = (line: { msg?: string }) => line.msg?.startsWith('DATA_DIR is in use by another process') === true;

it('a second process on the same DATA_DIR processes nothing while the first runs, and takes over when it stops', async () => {
  slow = await slowGitLab({ count: 13, delayMs: 300, concurrency: 1 });
  const { gitlab } = slow;
  const env = { ...slow.env, SHUTDOWN_GRACE_SECONDS: '2' };
  const first = await startRulebot(env);
  children.push(first.child);
  for (let iid = 1; iid <= 12; iid++) expect(await slow.deliver(first.url, iid)).toBe(202);

  // The second says who holds DATA_DIR, and waits.
  const second = spawnRulebot(env);
  children.push(second);
  const waiting = await second.waitFor(waitingForDataDir);
  expect(waiting['holder']).toEqual({ pid: first.child.process.pid, host: hostname(), since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  expect(waiting['data_dir']).toBe(resolve(env.DATA_DIR));
  const url = waiting.url!;
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  const ready = await fetch(`${url}/readyz`);
  expect(ready.status).toBe(503);
  expect(await ready.json()).toEqual({ status: 'not ready', checks: { data_dir: 'DATA_DIR is in use by another rulebot process; waiting for it to stop' } });
  // A delivery to it is refused, to be sent again, not acknowledged.
  expect(await slow.deliver(url, 13)).toBe(503);

  // The command line reads the same store while a server holds it.
  const lines: string[] = [];
  expect(await runCli(['dead-letters'], { DATA_DIR: env.DATA_DIR }, (line) => lines.push(line))).toBe(0);
  expect(lines).toEqual([`0 dead letters in ${env.DATA_DIR}`]);

  // The first goes on alone: the second has not even asked GitLab who it is.
  await expect.poll(() => Array.from({ length: 12 }, (_, i) => slow!.comments(i + 1).length).filter(Boolean).length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
  expect(gitlab.calls('GET', /^\/user$/)).toHaveLength(1);
  expect(second.logs.filter((line) => line.msg === 'event processed')).toEqual([]);

  first.child.process.kill('SIGTERM');
  expect(await first.child.exited).toBe(0);
  expect(await second.waitFor((line) => line.msg === 'DATA_DIR taken over')).toBeDefined();
  expect((await second.waitFor((line) => line.msg === 'rulebot listening')).url).toBe(url);
  const status = () => readStatus((path, init) => fetch(`${url}${path}`, init), SECRET);
  await expect.poll(async () => (await status()).queue.depth, { timeout: 30_000 }).toBe(0);
  for (let iid = 1; iid <= 12; iid++) {
    expect(slow.labels(iid), `!${iid}`).toEqual(['triaged']);
    expect(slow.comments(iid), `!${iid}`).toEqual([`Thanks for !${iid}.`]);
  }
  // Refused while waiting, so never promised and never acted on.
  expect(slow.comments(13)).toEqual([]);
  expect((await status()).queue.dead_letters).toBe(0);
}, 60_000);

it('with DATA_DIR_LOCK=fail a second process exits 1 with one line naming the holder; a waiting one exits 0 on SIGTERM', async () => {
  slow = await slowGitLab({ count: 1, delayMs: 0, concurrency: 1 });
  const { gitlab, env } = slow;
  const first = await startRulebot(env);
  children.push(first.child);

  const refused = spawnRulebot({ ...env, DATA_DIR_LOCK: 'fail' });
  children.push(refused);
  expect(await refused.exited).toBe(1);
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const expected = new RegExp(
    `^rulebot: cannot start: DATA_DIR ${escape(resolve(env.DATA_DIR))} is in use by process ${first.child.process.pid} on host ${escape(hostname())} ` +
      `since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; stop it, or give this process a DATA_DIR of its own, or unset DATA_DIR_LOCK to wait for it$`,
  );
  expect(refused.stderr).toEqual([expect.stringMatching(expected)]);
  expect(refused.logs).toEqual([]);

  const waiting = spawnRulebot(env);
  children.push(waiting);
  await waiting.waitFor(waitingForDataDir);
  waiting.process.kill('SIGTERM');
  expect(await waiting.exited).toBe(0);
  // Neither asked GitLab anything: only the first did, once, at its start.
  expect(gitlab.calls('GET', /^\/user$/)).toHaveLength(1);
}, 30_000);

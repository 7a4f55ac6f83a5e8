// Crash test: the real server as a child process, killed with SIGKILL mid-stream and restarted on the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload, WELCOME_RULES, withoutMarker } from '../support/events.js';
import { FakeGitLab } from '../support/fake-gitlab.js';
import { BOT, readStatus, SECRET, TOKEN } from '../support/harness.js';

const EVENTS = 40;
const rules = WELCOME_RULES;

let child: ChildProcess | undefined;
let gitlab: FakeGitLab | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  await gitlab?.stop();
});

/** Starts `npm start`'s entry point with the given data directory; resolves its URL once it listens. */
function startChild(env: Record<string, string>): Promise<{ process: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/runtime/node/main.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`rulebot exited early with code ${code}`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'rulebot listening') resolve({ process: proc, url: entry.url! });
    });
  });
}

async function deliver(url: string, iid: number): Promise<boolean> {
  try {
    const response = await fetch(`${url}/webhooks/gitlab`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'idempotency-key': `crash-${iid}` },
      body: JSON.stringify(mergeRequestPayload({ iid, labels: [] })),
    });
    return response.status === 202;
  } catch {
    return false; // refused or cut off: not acknowledged, so not promised
  }
}

/** A fake GitLab with `count` merge requests answering after `delayMs`, and the environment to run rulebot against it. */
async function scenario(count: number, delayMs: number, concurrency: number) {
  gitlab = new FakeGitLab({ token: TOKEN, botUser: BOT });
  await gitlab.start();
  gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  for (let iid = 1; iid <= count; iid++) gitlab.addMergeRequest({ project_id: 1, iid, labels: [] });
  gitlab.inject({ path: /merge_requests\/\d+(\/notes)?$/, delayMs, times: 10_000 });
  const dir = await mkdtemp(join(tmpdir(), 'rulebot-crash-'));
  await writeFile(join(dir, 'welcome.yml'), rules);
  return {
    GITLAB_URL: gitlab.url, GITLAB_TOKEN: TOKEN, GITLAB_WEBHOOK_SECRET: SECRET, RULES_DIR: dir,
    DATA_DIR: join(dir, 'data'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', QUEUE_CONCURRENCY: String(concurrency),
  };
}

describe('crash', () => {
  it('acts on every acknowledged event exactly once across a SIGKILL and a restart', async () => {
    // A slow GitLab keeps events in flight when the kill comes: some commented, some half done, some queued.
    const env = await scenario(EVENTS, 15, 4);

    const first = await startChild(env);
    child = first.process;
    const acknowledged: number[] = [];
    for (let iid = 1; iid <= EVENTS; iid++) {
      if (await deliver(first.url, iid)) acknowledged.push(iid);
      // Kill once a few comments exist: the rest of the stream meets a dead server.
      if (iid === EVENTS / 2) {
        await expect.poll(() => gitlab!.calls('POST').length, { timeout: 10_000 }).toBeGreaterThan(2);
        child.kill('SIGKILL');
        await new Promise((resolve) => child!.once('exit', resolve));
      }
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(EVENTS / 2);
    const doneBeforeRestart = acknowledged.filter((iid) => gitlab!.mergeRequest(1, iid)?.labels.includes('triaged')).length;
    expect(doneBeforeRestart).toBeLessThan(acknowledged.length);

    const second = await startChild(env);
    child = second.process;
    await expect
      .poll(async () => (await readStatus((path, init) => fetch(`${second.url}${path}`, init), SECRET)).queue.depth, { timeout: 20_000 })
      .toBe(0);

    for (const iid of acknowledged) {
      expect(gitlab!.mergeRequest(1, iid)?.labels, `!${iid}`).toEqual(['triaged']);
      const comments = gitlab!.notes(1, 'MergeRequest', iid).filter((n) => n.author_id === BOT.id).map((n) => withoutMarker(n.body));
      expect(comments, `!${iid}`).toEqual([`Thanks for !${iid}.`]);
    }
    const status = await readStatus((path, init) => fetch(`${second.url}${path}`, init), SECRET);
    expect(status.queue.dead_letters).toBe(0);
  }, 60_000);

  it('on SIGTERM refuses new deliveries with 503, finishes what is under way, exits 0, and keeps the rest', async () => {
    const env = await scenario(10, 100, 1);
    const first = await startChild(env);
    child = first.process;
    for (let iid = 1; iid <= 10; iid++) expect(await deliver(first.url, iid)).toBe(true);
    await expect.poll(() => gitlab!.calls('PUT').length, { timeout: 10_000 }).toBeGreaterThan(0);

    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await expect
      .poll(async () => (await fetch(`${first.url}/webhooks/gitlab`, { method: 'POST', headers: { 'x-gitlab-token': SECRET }, body: '{}' }).catch(() => undefined))?.status)
      .toBe(503);
    expect(await exited).toBe(0);
    const doneAtStop = (await Promise.all(Array.from({ length: 10 }, (_, i) => gitlab!.mergeRequest(1, i + 1)))).filter((mr) => mr?.labels.includes('triaged')).length;
    expect(doneAtStop).toBeLessThan(10);

    const second = await startChild(env);
    child = second.process;
    await expect.poll(() => gitlab!.notes(1, 'MergeRequest', 10).length, { timeout: 20_000 }).toBe(1);
    for (let iid = 1; iid <= 10; iid++) expect(gitlab!.notes(1, 'MergeRequest', iid), `!${iid}`).toHaveLength(1);
  }, 60_000);
});

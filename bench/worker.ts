// Workers benchmark: bundle size, and CPU time per webhook and per queued event of the built Worker in
// workerd (Miniflare), against a minimal Worker doing the same job with the same bindings, in the same run.
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { mergeRequestPayload, notePayload } from '../test/support/events.js';
import { diff } from '../test/support/harness.js';
import { startWorkerHarness, type WorkerHarness } from '../test/support/worker-harness.js';
import { buildWorker } from '../scripts/build-worker.js';
import { median } from './stats.js';

const BASELINE = fileURLToPath(new URL('./worker-baseline.js', import.meta.url));
const RULES_DIR = fileURLToPath(new URL('../rules', import.meta.url));
/** The free plan's CPU limit per invocation. */
export const WORKER_CPU_TARGET_MS = 10;

export interface WorkerCpu {
  /** CPU ms of the whole workerd process (all its threads) per event: rulebot plus Miniflare's own queue, store and KV simulators. */
  perWebhookMs: number;
  /** Acknowledging and processing, per event. */
  perEventMs: number;
}

export interface WorkerBenchResult {
  bundleBytes: number;
  bundleGzipBytes: number;
  events: number;
  rounds: { rulebot: WorkerCpu; baseline: WorkerCpu; rulebotCommands: WorkerCpu }[];
  /** The first request of a fresh isolate (`/readyz`: the store object's first start, the bot's user via KV and GitLab), CPU ms, the lower of two per round. */
  firstWebhookMs: { rulebot: number; baseline: number }[];
  /** workerd's CPU from its start until it serves (loading the bundle, and for rulebot reading configuration and rules), the lower of two per round. */
  bootMs: { rulebot: number; baseline: number }[];
  /** A schedule run over stale merge requests, step by step through the queue, per round. */
  scans: ScanCpu[];
}

export interface ScanCpu {
  items: number;
  stepItems: number;
  steps: number;
  /** CPU of the whole run (the trigger and every step), per step. */
  perStepMs: number;
}

const SCAN_ITEMS = 200;
const SCAN_STEP_ITEMS = 5;
const SCAN_RULES = {
  'stale.yml': `rules:
  - name: stale
    on: schedule
    schedule: "*/5 * * * *"
    resource: merge_requests
    scope: { project: "gitlabhq/gitlab-test" }
    if: { state: opened, updated: { older_than: 30d }, labels: { none: [stale] } }
    then:
      add_labels: [stale]
      comment: "No activity for 30 days, so this is now marked stale."
`,
};

type Kind = 'rulebot' | 'baseline' | 'rulebotCommands';

export async function benchWorker(options: { events: number; rounds: number }, print: (line: string) => void): Promise<WorkerBenchResult> {
  const built = await buildWorker({ rulesDir: RULES_DIR, outfile: fileURLToPath(new URL('../dist/worker-bench/index.js', import.meta.url)) });
  if (!built.ok) throw new Error(`the shipped rules do not build:\n${built.check.join('\n')}`);
  const rounds: WorkerBenchResult['rounds'] = [];
  const firstWebhookMs: WorkerBenchResult['firstWebhookMs'] = [];
  const bootMs: WorkerBenchResult['bootMs'] = [];
  const scans: ScanCpu[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const first = { rulebot: 0, baseline: 0 };
    const boot = { rulebot: 0, baseline: 0 };
    const measure = async (kind: Kind): Promise<WorkerCpu> => {
      const webhook = await run(kind, options.events, false);
      const full = await run(kind, options.events, true);
      if (kind !== 'rulebotCommands') {
        first[kind] = Math.min(webhook.firstMs, full.firstMs);
        boot[kind] = Math.min(webhook.bootMs, full.bootMs);
      }
      return { perWebhookMs: webhook.perEventMs, perEventMs: full.perEventMs };
    };
    // Alternating, so that a busy moment of the machine does not land on one side only.
    const rulebot = await measure('rulebot');
    const baseline = await measure('baseline');
    const rulebotCommands = await measure('rulebotCommands');
    rounds.push({ rulebot, baseline, rulebotCommands });
    firstWebhookMs.push(first);
    bootMs.push(boot);
    scans.push(await runScan());
    print(
      `  round ${round}: rulebot ${rulebot.perWebhookMs.toFixed(2)} / ${rulebot.perEventMs.toFixed(2)} ms, ` +
        `baseline ${baseline.perWebhookMs.toFixed(2)} / ${baseline.perEventMs.toFixed(2)} ms, ` +
        `commands ${rulebotCommands.perWebhookMs.toFixed(2)} / ${rulebotCommands.perEventMs.toFixed(2)} ms (webhook / webhook + queue), ` +
        `scan ${scans.at(-1)!.perStepMs.toFixed(2)} ms per step of ${SCAN_STEP_ITEMS} items`,
    );
  }
  return { bundleBytes: built.bytes, bundleGzipBytes: gzipSync(await readFile(fileURLToPath(new URL('../dist/worker-bench/index.js', import.meta.url)))).length, events: options.events, rounds, firstWebhookMs, bootMs, scans };
}

/**
 * A schedule run marking 200 stale merge requests (a label and a comment each), 5 items per queue
 * message (the default, for the free plan): the CPU of the trigger and every step, divided by the steps.
 */
async function runScan(): Promise<ScanCpu> {
  const now = Date.parse('2026-03-01T06:00:00Z');
  const h = await startWorkerHarness({
    rules: SCAN_RULES,
    now: () => now,
    env: { LOG_LEVEL: 'info', SCAN_STEP_ITEMS: String(SCAN_STEP_ITEMS), GITLAB_REQUESTS_PER_MINUTE: '1000000', GITLAB_NOTES_PER_MINUTE: '1000000' },
  });
  try {
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    for (let iid = 1; iid <= SCAN_ITEMS; iid++) {
      const updated = new Date(now - (40 * 86_400_000 + iid * 60_000)).toISOString();
      h.gitlab.addMergeRequest({ project_id: 1, iid, labels: [], created_at: updated, updated_at: updated });
    }
    const pid = await workerdPid();
    const before = await cpuMs(pid);
    await h.cron();
    const after = await cpuMs(pid);
    const finished = h.logs.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    }).find((line) => line['msg'] === 'schedule: run finished');
    if (!finished || finished['acted'] !== SCAN_ITEMS) throw new Error(`the scan did not act on all ${SCAN_ITEMS} items: ${JSON.stringify(finished)}`);
    const steps = Number(finished['steps']);
    return { items: SCAN_ITEMS, stepItems: SCAN_STEP_ITEMS, steps, perStepMs: (after - before) / steps };
  } finally {
    await h.close();
  }
}

/**
 * Starts a fresh Worker, measures its first request (`/readyz`) on its own, sends one warm-up event, then
 * `events` more, and measures the workerd process's CPU time from the first of them until all are done.
 */
async function run(kind: Kind, events: number, consume: boolean): Promise<{ perEventMs: number; firstMs: number; bootMs: number }> {
  const h = await startWorkerHarness({
    rulesDir: RULES_DIR,
    consume,
    env: { LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'warn', GITLAB_REQUESTS_PER_MINUTE: '1000000', GITLAB_NOTES_PER_MINUTE: '1000000', COMMAND_RATE_LIMIT: '1000000' },
    ...(kind === 'baseline' && { script: BASELINE }),
    warm: false,
  });
  try {
    seed(h, events + 1);
    const pid = await workerdPid();
    const send = (i: number) => (kind === 'rulebotCommands' ? postCommand(h, i) : postMergeRequest(h, i));
    // The isolate's first request: rulebot reads its configuration and rules and asks GitLab who it is.
    const before = await cpuMs(pid);
    const ready = await h.fetch('/readyz');
    if (ready.status !== 200) throw new Error(`${kind} is not ready: ${await ready.text()}`);
    const first = (await cpuMs(pid)) - before;
    await send(0);
    if (consume) await h.settle();
    const warm = await cpuMs(pid);
    // Eight deliveries in flight, as GitLab sends a busy project's hooks.
    let next = 1;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next <= events) await send(next++);
    }));
    if (consume) await h.settle();
    const after = await cpuMs(pid);
    if (consume) check(h, kind, events + 1);
    return { perEventMs: (after - warm) / events, firstMs: first, bootMs: before };
  } finally {
    await h.close();
  }
}

function seed(h: WorkerHarness, count: number): void {
  h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  h.gitlab.addUser({ id: 1, username: 'root' });
  h.gitlab.addUser({ id: 30, username: 'dev' });
  h.gitlab.addMember(1, { user_id: 30, access_level: 30 });
  for (let iid = 1; iid <= count; iid++) {
    h.gitlab.addMergeRequest({ project_id: 1, iid, labels: [], diffs: [diff('docs/index.md', 3), diff('README.md', 2)] });
  }
}

async function postMergeRequest(h: WorkerHarness, i: number): Promise<void> {
  const answer = await h.post(mergeRequestPayload({ action: 'open', iid: i + 1, labels: [] }), { 'idempotency-key': `bench-${i}` });
  if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

async function postCommand(h: WorkerHarness, i: number): Promise<void> {
  const payload = notePayload({ body: '@rulebot label ~bug', noteId: 10_000 + i, iid: i + 1, projectId: 1, path: 'gitlabhq/gitlab-test', userId: 30, username: 'dev' });
  const answer = await h.post(payload, { 'idempotency-key': `bench-note-${i}`, 'x-gitlab-event': 'Note Hook' });
  if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}: ${JSON.stringify(answer.body)}`);
}

/** Every event did its job, on both sides: the measurement is of work done, not of work skipped. */
function check(h: WorkerHarness, kind: Kind, count: number): void {
  for (let iid = 1; iid <= count; iid++) {
    const labels = h.gitlab.mergeRequest(1, iid)?.labels ?? [];
    const expected = kind === 'rulebotCommands' ? 'bug' : 'documentation';
    if (!labels.includes(expected)) throw new Error(`${kind}: !${iid} has labels ${JSON.stringify(labels)}, not ${expected}`);
  }
}

/** The workerd process Miniflare started for this benchmark: a child of this process. */
async function workerdPid(): Promise<number> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (match && match[1] === 'workerd' && Number(match[2]) === process.pid) found.push(Number(entry));
  }
  if (found.length !== 1) throw new Error(`expected one workerd child process, found ${found.length}`);
  return found[0]!;
}

/**
 * CPU time of a process so far, in ms: the sum over its threads of the time each ran on a CPU, from
 * `/proc/<pid>/task/<tid>/schedstat` (nanoseconds, unlike the 10 ms ticks of `/proc/<pid>/stat`). Linux only.
 */
async function cpuMs(pid: number): Promise<number> {
  let ns = 0;
  for (const task of await readdir(`/proc/${pid}/task`)) {
    const schedstat = await readFile(`/proc/${pid}/task/${task}/schedstat`, 'utf8').catch(() => '0');
    ns += Number(schedstat.split(' ')[0]);
  }
  return ns / 1e6;
}

export function workerSummary(result: WorkerBenchResult) {
  const pick = (kind: Kind, field: keyof WorkerCpu) => median(result.rounds.map((round) => round[kind][field]));
  return {
    rulebot: { webhook: pick('rulebot', 'perWebhookMs'), event: pick('rulebot', 'perEventMs') },
    baseline: { webhook: pick('baseline', 'perWebhookMs'), event: pick('baseline', 'perEventMs') },
    commands: { webhook: pick('rulebotCommands', 'perWebhookMs'), event: pick('rulebotCommands', 'perEventMs') },
  };
}

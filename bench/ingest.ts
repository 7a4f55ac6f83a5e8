// Webhook ingest benchmark: the same merge request payload POSTed to rulebot, to Probot and to two bare references, in alternation.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startCeiling } from './ceiling-server.js';
import { measureDiskCommit, type DiskCommit } from './disk-commit.js';
import { startHonoFloor } from './hono-floor.js';
import { runLoad } from './load-client.js';
import type { LoadRequest, LoadSummary } from './load-protocol.js';
import { githubSignature, startProbot } from './probot-target.js';
import { startRulebot, WEBHOOK_SECRET, type SettleReport } from './rulebot-target.js';
import { median } from './stats.js';

export const PAYLOAD_FILE = fileURLToPath(new URL('../test/fixtures/merge_request.json', import.meta.url));

export interface IngestOptions {
  rounds: number;
  durationS: number;
  warmupS: number;
  connections: number;
}

/**
 * `ceiling`: bare node:http; `hono`: bare Hono on @hono/node-server; `probot`: Probot's Node middleware (signature,
 * JSON, a handler applying the rules, nothing stored); `rulebot`: the real server; `rulebot-without-records`: the
 * same server with its store's `recordDecision` doing nothing (records are built, none is stored).
 */
export const TARGET_NAMES = ['ceiling', 'hono', 'probot', 'rulebot', 'rulebot-without-records'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

interface Target {
  url: string;
  /** Rulebot: waits until the events it accepted are processed. Probot: counts the events its handler saw. */
  settle?: () => Promise<SettleReport | ProbotReport>;
  close(): Promise<void>;
}

export interface ProbotReport {
  handled: number;
  matchedPerEvent: { min: number; max: number };
}

export interface IngestRun {
  round: number;
  target: TargetName;
  load: LoadSummary;
  /** Rulebot (both targets) only: how long a SQLite commit took on the disk, just before the run. */
  diskCommit?: DiskCommit;
  /**
   * CPU time of this process per request, warm-up included, until rulebot's queue drained. Every target runs
   * in this process, alone during its run, so this is the target's CPU (all its threads, V8's and libuv's
   * included) plus this process's idle share; the load generator runs in a process of its own and is not counted.
   * Less sensitive than req/s to the scheduling noise of a shared 2-core machine.
   */
  cpuUsPerRequest: number;
  /** Rulebot only: the queue after the load. */
  queue?: SettleReport;
  /** Probot only: what its handler saw. */
  probot?: ProbotReport;
}

/** One ratio of req/s: best run over best run, and within each round (runs a few seconds apart), to show the spread. */
export interface Ratio {
  best: number;
  perRound: number[];
}

/** A ratio taken within each round only (the two runs back to back), and the median of the rounds. */
export interface RoundRatio {
  median: number;
  perRound: number[];
}

/**
 * What storing decision records costs: rulebot over rulebot-without-records, run back to back in every round
 * (their order flipped every other round, so neither always meets the machine first).
 */
export interface RecordsCost {
  /** CPU µs per request: above 1 is the cost. */
  cpu: RoundRatio;
  /** Requests per second: below 1 is the cost. */
  requestsPerSecond: RoundRatio;
}

export interface IngestResult {
  options: IngestOptions;
  runs: IngestRun[];
  /** Each target's run with the most requests per second. */
  best: Record<TargetName, IngestRun>;
  ratios: {
    /** Rulebot over the bare node:http server: the headline figure. */
    rulebotOverCeiling: Ratio;
    /** Rulebot over Probot: a webhook framework doing less (nothing stored). */
    rulebotOverProbot: Ratio;
    /** Probot over the bare server. */
    probotOverCeiling: Ratio;
    /** Hono over the bare server: the share the framework alone keeps. */
    honoOverCeiling: Ratio;
  };
  records: RecordsCost;
  /** Median CPU µs per request of each target, over the rounds. */
  cpuUsPerRequest: Record<TargetName, number>;
}

/** Runs every target once per round, in the same order, and reports every run. `progress` receives one line per run. */
export async function benchIngest(options: IngestOptions, progress: (line: string) => void): Promise<IngestResult> {
  const targets: Record<TargetName, Target> = {
    ceiling: await startCeiling(),
    hono: await startHonoFloor(),
    probot: await startProbot(),
    rulebot: await startRulebot(),
    'rulebot-without-records': await startRulebot({ records: false }),
  };
  const body = readFileSync(PAYLOAD_FILE);
  const runs: IngestRun[] = [];
  try {
    for (let round = 1; round <= options.rounds; round++) {
      for (const name of roundOrder(round)) {
        const target = targets[name];
        const diskCommit = name.startsWith('rulebot') ? measureDiskCommit() : undefined;
        const cpuBefore = process.cpuUsage();
        const load = await runLoad(name === 'probot' ? githubRequest(target.url, body, options) : gitlabRequest(target.url, options));
        // Rulebot answers once an event is queued, before the work: a run is over when the queue has drained.
        const settled = await target.settle?.();
        const cpu = process.cpuUsage(cpuBefore);
        const cpuUsPerRequest = (cpu.user + cpu.system) / Math.max(1, load.requests + load.warmupRequests);
        const report = settled === undefined ? {} : 'handled' in settled ? { probot: settled } : { queue: settled };
        runs.push({ round, target: name, load, cpuUsPerRequest, ...report, ...(diskCommit && { diskCommit }) });
        progress(describeRun(runs.at(-1)!));
      }
    }
  } finally {
    for (const name of TARGET_NAMES) await targets[name].close();
  }
  const best = Object.fromEntries(TARGET_NAMES.map((name) => [name, fastest(runs, name)])) as Record<TargetName, IngestRun>;
  const ratio = (over: TargetName, under: TargetName): Ratio => ({
    best: best[over].load.requestsPerSecond / best[under].load.requestsPerSecond,
    perRound: Array.from({ length: options.rounds }, (_, i) => {
      const inRound = runs.filter((run) => run.round === i + 1);
      return rps(inRound, over) / rps(inRound, under);
    }),
  });
  return {
    options,
    runs,
    best,
    ratios: {
      rulebotOverCeiling: ratio('rulebot', 'ceiling'),
      rulebotOverProbot: ratio('rulebot', 'probot'),
      probotOverCeiling: ratio('probot', 'ceiling'),
      honoOverCeiling: ratio('hono', 'ceiling'),
    },
    records: {
      cpu: roundRatio(runs, options.rounds, (run) => run.cpuUsPerRequest),
      requestsPerSecond: roundRatio(runs, options.rounds, (run) => run.load.requestsPerSecond),
    },
    cpuUsPerRequest: Object.fromEntries(
      TARGET_NAMES.map((name) => [name, median(runs.filter((run) => run.target === name).map((run) => run.cpuUsPerRequest))]),
    ) as Record<TargetName, number>,
  };
}

/** The targets in the order of a round: rulebot and rulebot-without-records swap places every other round. */
function roundOrder(round: number): TargetName[] {
  const order: TargetName[] = [...TARGET_NAMES];
  if (round % 2 === 0) order.splice(order.indexOf('rulebot'), 2, 'rulebot-without-records', 'rulebot');
  return order;
}

/** Rulebot over rulebot-without-records by `figure`, within each round, and the median over the rounds. */
function roundRatio(runs: readonly IngestRun[], rounds: number, figure: (run: IngestRun) => number): RoundRatio {
  const perRound = Array.from({ length: rounds }, (_, i) => {
    const inRound = runs.filter((run) => run.round === i + 1);
    const of = (target: TargetName) => figure(inRound.find((run) => run.target === target)!);
    return of('rulebot') / of('rulebot-without-records');
  });
  return { median: median(perRound), perRound };
}

/** The headers GitLab sends with a merge request hook (webhooks.md, "Delivery headers"); Idempotency-Key is added per request. */
function gitlabRequest(url: string, options: IngestOptions): LoadRequest {
  return {
    url,
    bodyFile: PAYLOAD_FILE,
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'GitLab/17.5.0',
      'X-Gitlab-Event': 'Merge Request Hook',
      'X-Gitlab-Token': WEBHOOK_SECRET,
      'X-Gitlab-Instance': 'https://gitlab.example.com',
      'X-Gitlab-Event-UUID': randomUUID(),
    },
    connections: options.connections,
    durationS: options.durationS,
    warmupS: options.warmupS,
    keyPrefix: randomUUID(),
    keyHeader: 'Idempotency-Key',
  };
}

/**
 * The headers GitHub sends and Probot demands: the event name, the signature of the body (the same body every
 * time, so signed once) and a delivery id, added per request. `pull_request` is GitHub's name for the hook.
 */
function githubRequest(url: string, body: Buffer, options: IngestOptions): LoadRequest {
  return {
    url,
    bodyFile: PAYLOAD_FILE,
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'GitHub-Hookshot/bench',
      'X-GitHub-Event': 'pull_request',
      'X-Hub-Signature-256': githubSignature(body),
    },
    connections: options.connections,
    durationS: options.durationS,
    warmupS: options.warmupS,
    keyPrefix: randomUUID(),
    keyHeader: 'X-GitHub-Delivery',
  };
}

function fastest(runs: readonly IngestRun[], target: TargetName): IngestRun {
  const mine = runs.filter((run) => run.target === target);
  return mine.reduce((best, run) => (run.load.requestsPerSecond > best.load.requestsPerSecond ? run : best), mine[0]!);
}

function rps(runs: readonly IngestRun[], target: TargetName): number {
  return runs.find((run) => run.target === target)?.load.requestsPerSecond ?? 0;
}

function describeRun(run: IngestRun): string {
  const { load } = run;
  const queue = run.queue ? `, backlog ${run.queue.backlog} drained in ${run.queue.drainMs.toFixed(0)} ms` : '';
  const disk = run.diskCommit ? `; disk commit p50 ${run.diskCommit.p50Ms.toFixed(2)} ms before the run` : '';
  return (
    `  round ${run.round} ${run.target.padEnd(23)} ${load.requestsPerSecond.toFixed(0).padStart(6)} req/s, ` +
    `p99 ${load.latencyMs.p99.toFixed(2)} ms, ${run.cpuUsPerRequest.toFixed(0)} µs CPU/request${queue}${disk}`
  );
}

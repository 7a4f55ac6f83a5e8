// Webhook ingest benchmark: the same merge request payload POSTed to rulebot and to two references, in alternation.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startCeiling } from './ceiling-server.js';
import { startHonoFloor } from './hono-floor.js';
import { runLoad } from './load-client.js';
import type { LoadRequest, LoadSummary } from './load-protocol.js';
import { startRulebot, WEBHOOK_SECRET, type SettleReport } from './rulebot-target.js';
import { median } from './stats.js';

export const PAYLOAD_FILE = fileURLToPath(new URL('../test/fixtures/merge_request.json', import.meta.url));

export interface IngestOptions {
  rounds: number;
  durationS: number;
  warmupS: number;
  connections: number;
}

/** `ceiling`: bare node:http; `hono`: bare Hono on @hono/node-server; `rulebot`: the real server. */
export const TARGET_NAMES = ['ceiling', 'hono', 'rulebot'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

interface Target {
  url: string;
  /** Rulebot only: waits until the events it accepted are processed. */
  settle?: () => Promise<SettleReport>;
  close(): Promise<void>;
}

export interface IngestRun {
  round: number;
  target: TargetName;
  load: LoadSummary;
  /**
   * CPU time of this process (all threads) per request, warm-up included, until rulebot's queue drained.
   * Less sensitive than req/s to the scheduling noise of a shared 2-core machine.
   */
  cpuUsPerRequest: number;
  /** Rulebot only: the queue after the load. */
  queue?: SettleReport;
}

export interface IngestResult {
  options: IngestOptions;
  runs: IngestRun[];
  /** Each target's run with the most requests per second. */
  best: Record<TargetName, IngestRun>;
  /** Best rulebot req/s over best ceiling req/s: the headline figure. */
  ratio: number;
  /** The same ratio within each round (runs a few seconds apart), to show the spread. */
  ratioPerRound: number[];
  /** Best hono over best ceiling: the share the framework alone keeps. */
  honoRatio: number;
  /** Median CPU µs per request of each target, over the rounds. */
  cpuUsPerRequest: Record<TargetName, number>;
}

/** Runs every target once per round, in the same order, and reports every run. `progress` receives one line per run. */
export async function benchIngest(options: IngestOptions, progress: (line: string) => void): Promise<IngestResult> {
  const targets: Record<TargetName, Target> = { ceiling: await startCeiling(), hono: await startHonoFloor(), rulebot: await startRulebot() };
  const runs: IngestRun[] = [];
  try {
    for (let round = 1; round <= options.rounds; round++) {
      for (const name of TARGET_NAMES) {
        const target = targets[name];
        const cpuBefore = process.cpuUsage();
        const load = await runLoad(loadRequest(target.url, options));
        // Rulebot answers once an event is queued, before the work: a run is over when the queue has drained.
        const queue = await target.settle?.();
        const cpu = process.cpuUsage(cpuBefore);
        const cpuUsPerRequest = (cpu.user + cpu.system) / Math.max(1, load.requests + load.warmupRequests);
        runs.push({ round, target: name, load, cpuUsPerRequest, ...(queue && { queue }) });
        progress(describeRun(runs.at(-1)!));
      }
    }
  } finally {
    for (const name of TARGET_NAMES) await targets[name].close();
  }
  const best = Object.fromEntries(TARGET_NAMES.map((name) => [name, fastest(runs, name)])) as Record<TargetName, IngestRun>;
  const ratioPerRound = Array.from({ length: options.rounds }, (_, i) => {
    const inRound = runs.filter((run) => run.round === i + 1);
    return rps(inRound, 'rulebot') / rps(inRound, 'ceiling');
  });
  return {
    options,
    runs,
    best,
    ratio: best.rulebot.load.requestsPerSecond / best.ceiling.load.requestsPerSecond,
    ratioPerRound,
    honoRatio: best.hono.load.requestsPerSecond / best.ceiling.load.requestsPerSecond,
    cpuUsPerRequest: Object.fromEntries(
      TARGET_NAMES.map((name) => [name, median(runs.filter((run) => run.target === name).map((run) => run.cpuUsPerRequest))]),
    ) as Record<TargetName, number>,
  };
}

function loadRequest(url: string, options: IngestOptions): LoadRequest {
  return {
    url,
    bodyFile: PAYLOAD_FILE,
    // The headers GitLab sends with a merge request hook (webhooks.md, "Delivery headers"); Idempotency-Key is added per request.
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
  return (
    `  round ${run.round} ${run.target.padEnd(7)} ${load.requestsPerSecond.toFixed(0).padStart(6)} req/s, ` +
    `p99 ${load.latencyMs.p99.toFixed(2)} ms, ${run.cpuUsPerRequest.toFixed(0)} µs CPU/request${queue}`
  );
}

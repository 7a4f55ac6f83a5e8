// Webhook ingest benchmark: rulebot and a bare node:http ceiling, driven alternately with the same merge request payload.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startCeiling } from './ceiling-server.js';
import { runLoad } from './load-client.js';
import type { LoadRequest, LoadSummary } from './load-protocol.js';
import { startRulebot, WEBHOOK_SECRET, type SettleReport } from './rulebot-target.js';

export const PAYLOAD_FILE = fileURLToPath(new URL('../test/fixtures/merge_request.json', import.meta.url));

export interface IngestOptions {
  rounds: number;
  durationS: number;
  warmupS: number;
  connections: number;
}

export type TargetName = 'ceiling' | 'rulebot';

export interface IngestRun {
  round: number;
  target: TargetName;
  load: LoadSummary;
  /** Rulebot only: the queue after the load. */
  queue?: SettleReport;
}

export interface IngestResult {
  options: IngestOptions;
  runs: IngestRun[];
  /** Each target's run with the most requests per second. */
  best: Record<TargetName, IngestRun>;
  /** Best rulebot req/s over best ceiling req/s. */
  ratio: number;
  /** The same ratio within each round (adjacent runs), to show the spread. */
  ratioPerRound: number[];
}

/** Runs ceiling then rulebot, `rounds` times, and reports every run. `progress` receives one line per run. */
export async function benchIngest(options: IngestOptions, progress: (line: string) => void): Promise<IngestResult> {
  const ceiling = await startCeiling();
  const rulebot = await startRulebot();
  const runs: IngestRun[] = [];
  try {
    for (let round = 1; round <= options.rounds; round++) {
      const ceilingLoad = await runLoad(loadRequest(ceiling.url, options));
      runs.push({ round, target: 'ceiling', load: ceilingLoad });
      progress(describeRun(runs.at(-1)!));

      const rulebotLoad = await runLoad(loadRequest(rulebot.url, options));
      // Answers come before the work (the 202 is sent once queued); the run counts only when the queue has drained.
      runs.push({ round, target: 'rulebot', load: rulebotLoad, queue: await rulebot.settle() });
      progress(describeRun(runs.at(-1)!));
    }
  } finally {
    await rulebot.close();
    await ceiling.close();
  }
  const best = { ceiling: fastest(runs, 'ceiling'), rulebot: fastest(runs, 'rulebot') };
  const ratioPerRound = Array.from({ length: options.rounds }, (_, i) => {
    const inRound = runs.filter((run) => run.round === i + 1);
    return rps(inRound, 'rulebot') / rps(inRound, 'ceiling');
  });
  return { options, runs, best, ratio: best.rulebot.load.requestsPerSecond / best.ceiling.load.requestsPerSecond, ratioPerRound };
}

function loadRequest(url: string, options: IngestOptions): LoadRequest {
  return {
    url,
    bodyFile: PAYLOAD_FILE,
    // The headers GitLab sends with a merge request hook (webhooks.md: "Delivery headers").
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
  return `  round ${run.round} ${run.target.padEnd(7)} ${load.requestsPerSecond.toFixed(0).padStart(6)} req/s, p99 ${load.latencyMs.p99.toFixed(2)} ms${queue}`;
}

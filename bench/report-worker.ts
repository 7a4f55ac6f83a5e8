// The human-readable report of the Workers benchmark: bundle size and CPU per event against the free plan's limits.
import { table, verdict } from './format.js';
import { WORKER_CPU_TARGET_MS, workerSummary, type WorkerBenchResult } from './worker.js';

/** The free plan's limit on a Worker's size after compression. */
const FREE_PLAN_GZIP_BYTES = 3 * 1024 * 1024;

export function reportWorker(result: WorkerBenchResult): string[] {
  const s = workerSummary(result);
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const firstRulebot = result.firstWebhookMs.map((first) => first.rulebot);
  const firstBaseline = result.firstWebhookMs.map((first) => first.baseline);
  const bootRulebot = result.bootMs.map((boot) => boot.rulebot);
  const bootBaseline = result.bootMs.map((boot) => boot.baseline);
  return [
    `## Workers: CPU per event in workerd (Miniflare), ${result.events} events per run, median of ${result.rounds.length} rounds`,
    'CPU is the whole workerd process (every thread, from /proc schedstat), so it includes Miniflare\'s queue, Durable Object and KV simulators;',
    'the baseline is a minimal Worker doing the same job with the same bindings, measured in the same run.',
    ...table([
      ['', 'webhook (acknowledge)', 'webhook + queued event', 'vs baseline'],
      ['rulebot, merge request (docs label: GET diffs + PUT)', ms(s.rulebot.webhook), ms(s.rulebot.event), ratio(s.rulebot.event, s.baseline.event)],
      ['baseline, same merge request', ms(s.baseline.webhook), ms(s.baseline.event), '1.00×'],
      ['rulebot, note "@rulebot label ~bug" (membership + PUT + reaction)', ms(s.commands.webhook), ms(s.commands.event), ''],
    ]),
    `rulebot's own share per merge request event (rulebot − baseline): ${ms(s.rulebot.event - s.baseline.event)}`,
    `workerd start until it serves (rulebot also reads configuration and rules at global scope): rulebot ${bootRulebot.map(ms).join(', ')}; baseline ${bootBaseline.map(ms).join(', ')}`,
    `first request of a fresh isolate (/readyz: the store object starts, the bot's user from KV and GitLab): rulebot ${firstRulebot.map(ms).join(', ')}; baseline (no store, no KV) ${firstBaseline.map(ms).join(', ')}`,
    `schedule run, ${result.scans[0]?.items} stale merge requests (label + comment each), ${result.scans[0]?.stepItems} items per step: ` +
      `${result.scans.map((scan) => `${scan.perStepMs.toFixed(2)} ms per step (${scan.steps} steps)`).join(', ')}`,
    `target: under ${WORKER_CPU_TARGET_MS} ms CPU per event (free plan): ${verdict(Math.max(s.rulebot.event, s.commands.event) < WORKER_CPU_TARGET_MS)} ` +
      `(worst ${ms(Math.max(s.rulebot.event, s.commands.event))}, an upper bound: it counts the simulators too)`,
    `bundle: ${kib(result.bundleBytes)}, ${kib(result.bundleGzipBytes)} gzipped (free plan limit 3 MiB gzipped: ${((result.bundleGzipBytes / FREE_PLAN_GZIP_BYTES) * 100).toFixed(1)}% of it)`,
  ];
}

// The human-readable report of a benchmark run.
import { count, micros, table, verdict } from './format.js';
import { TARGET_NAMES, type IngestResult, type Ratio, type RoundRatio } from './ingest.js';
import type { Machine } from './machine.js';
import type { MatchingResult } from './matching.js';

/** A merge request event must be matched against 1,000 rules in under this. */
export const MATCHING_TARGET_NS = 500_000;
/** Rulebot must reach this share of the bare node:http ceiling's throughput... */
export const INGEST_RATIO_TARGET = 0.5;
/** ...and this multiple of Probot's, while committing every accepted event to disk before answering. */
export const INGEST_PROBOT_TARGET = 1.5;
/** Storing decision records may cost the ingest at most this share of CPU per request (issue 14: under 5%). */
export const RECORDS_COST_TARGET = 0.05;

export function reportMachine(machine: Machine): string[] {
  return [
    `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}`,
    `date: ${machine.date}, load average at start: ${machine.loadAverage.toFixed(2)}`,
  ];
}

export function reportMatching(result: MatchingResult): string[] {
  const kinds = Object.entries(result.rulesPerKind).map(([kind, n]) => `${n} ${kind}`).join(', ');
  const rows = [
    ['event', 'candidates', 'matched', 'pending', 'normalize', '0 rules', 'same kind only', 'all rules', 'unrelated rules cost'],
    ...result.events.map((e) => [
      e.event,
      String(e.candidates),
      String(e.matched),
      String(e.pending),
      micros(e.normalize.nsPerCall),
      micros(e.empty.nsPerCall),
      `${micros(e.sameKind.nsPerCall)} (${e.sameKind.rules})`,
      micros(e.all.nsPerCall),
      `${e.all.nsPerCall >= e.sameKind.nsPerCall ? '+' : '-'}${micros(Math.abs(e.all.nsPerCall - e.sameKind.nsPerCall))}`,
    ]),
  ];
  const headline = result.events.find((e) => e.fixture === 'merge_request');
  return [
    `## Rule matching: ${count(result.rules)} rules in ${result.files} files (${kinds}), loaded in ${result.loadMs.toFixed(0)} ms`,
    'Median time of matchRules(ruleSet, event, {}) per event (normalizeEvent timed separately), over 9 batches after warm-up.',
    ...table(rows),
    headline
      ? `target: merge_request event against ${count(result.rules)} rules under ${micros(MATCHING_TARGET_NS)}: ` +
        `${verdict(headline.all.nsPerCall < MATCHING_TARGET_NS)} (${micros(headline.all.nsPerCall)}; batches ${micros(headline.all.minNs)}–${micros(headline.all.maxNs)})`
      : 'target: no merge_request fixture was measured',
    '',
    ...reportEngines(result.engines),
  ];
}

/** re2js against the engines it replaced, per pattern × text pair, and the slowest cases. */
function reportEngines(engines: MatchingResult['engines']): string[] {
  const perPair = (ns: number, pairs: number) => micros(ns / pairs);
  const rows = [
    ['engines and texts', 'pairs', 'agree', 'linear-time per pair', 'backtracking per pair', 'linear / backtracking'],
    ...engines.rows.map((row) => [
      row.name,
      String(row.pairs),
      row.matched.linear === row.matched.backtracking ? `yes (${row.matched.linear})` : `NO (${row.matched.linear} vs ${row.matched.backtracking})`,
      perPair(row.linear.nsPerCall, row.pairs),
      perPair(row.backtracking.nsPerCall, row.pairs),
      (row.linear.nsPerCall / row.backtracking.nsPerCall).toFixed(2),
    ]),
  ];
  const { worst, catastrophic } = engines;
  const native = catastrophic.native.map(({ letters, timing }) => `${letters} letters ${micros(timing.nsPerCall)}`).join(', ');
  return [
    `Engines: the ${engines.patterns} distinct matches patterns and ${engines.globs} globs of these rules, each engine on the same texts in this run ` +
      '(median per pattern × text pair; "agree": both engines found the same number of matches).',
    ...table(rows),
    `slowest re2js match at the size limit: ${worst.pattern} (${worst.programSize} instructions, ignore_case) on ${count(worst.textLength)} letters: ` +
      `${micros(worst.re2js.nsPerCall)} (calls ${micros(worst.re2js.minNs)}–${micros(worst.re2js.maxNs)})`,
    `${catastrophic.pattern}: RegExp on letters and "!": ${native}; re2js on ${count(catastrophic.textLength)} characters: ${micros(catastrophic.re2js.nsPerCall)}`,
  ];
}

export function reportIngest(result: IngestResult, payloadBytes: number): string[] {
  const { options, ratios } = result;
  const rows = [
    ['round', 'target', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'CPU µs/req', 'requests', '2xx', 'non-2xx', 'errors', 'backlog', 'drain ms', 'disk commit ms'],
    ...result.runs.map((run) => [
      String(run.round),
      run.target,
      count(run.load.requestsPerSecond),
      run.load.latencyMs.p50.toFixed(2),
      run.load.latencyMs.p90.toFixed(2),
      run.load.latencyMs.p99.toFixed(2),
      run.load.latencyMs.max.toFixed(1),
      run.cpuUsPerRequest.toFixed(0),
      count(run.load.requests),
      count(run.load.requests - run.load.non2xx),
      count(run.load.non2xx),
      count(run.load.errors + run.load.timeouts),
      run.queue ? count(run.queue.backlog) : '-',
      run.queue ? run.queue.drainMs.toFixed(0) : '-',
      run.diskCommit ? `${run.diskCommit.p50Ms.toFixed(2)}/${run.diskCommit.p90Ms.toFixed(2)}` : '-',
    ]),
  ];
  const rulebotRuns = result.runs.filter((run) => run.queue);
  const accepted = rulebotRuns.reduce((total, run) => total + (run.load.statusCodes['202'] ?? 0), 0);
  const processed = rulebotRuns.reduce((total, run) => total + (run.queue?.processed ?? 0), 0);
  const failed = rulebotRuns.reduce((total, run) => total + (run.queue?.failed ?? 0), 0);
  const matched = rulebotRuns.map((run) => run.queue!.matchedPerEvent);
  const probotRuns = result.runs.filter((run) => run.probot);
  const handled = probotRuns.reduce((total, run) => total + (run.probot?.handled ?? 0), 0);
  const probotMatched = probotRuns.map((run) => run.probot!.matchedPerEvent);
  const range = (list: { min: number; max: number }[]) => `${Math.min(...list.map((m) => m.min))}–${Math.max(...list.map((m) => m.max))}`;
  const cpu = result.cpuUsPerRequest;
  const ceiling = result.best.ceiling.load.requestsPerSecond;
  const summary = [
    ['target', 'best req/s', 'p99 ms', 'CPU µs/req', '÷ ceiling'],
    ...TARGET_NAMES.map((name) => {
      const run = result.best[name];
      return [name, count(run.load.requestsPerSecond), run.load.latencyMs.p99.toFixed(2), cpu[name].toFixed(0), (run.load.requestsPerSecond / ceiling).toFixed(2)];
    }),
  ];
  const describe = (ratio: Ratio) => `${ratio.best.toFixed(2)} (per round ${ratio.perRound.map((r) => r.toFixed(2)).join(', ')})`;
  const perRound = (ratio: RoundRatio) => `${ratio.median.toFixed(3)} (median of the rounds; per round ${ratio.perRound.map((r) => r.toFixed(3)).join(', ')})`;
  const records = result.records;
  return [
    `## Webhook ingest: POST of a ${count(payloadBytes)}-byte merge_request payload, ${options.connections} connections, ` +
      `${options.durationS} s per run after ${options.warmupS} s warm-up, ${options.rounds} rounds`,
    'ceiling: bare node:http; hono: bare Hono on @hono/node-server; probot: Probot 14 createNodeMiddleware on node:http ' +
      '(signature, JSON, a handler applying the rules, nothing stored); rulebot: the real server (dry run, bench/rules, every 202 committed to disk); ' +
      'rulebot-without-records: the same with the store\'s recordDecision doing nothing (records built, none stored), run next to rulebot in every round, the two in turns.',
    'Load from autocannon in a child process on the same machine. Every target runs in this process, alone during its run: ' +
      'CPU µs/req is this process\'s CPU (all threads) over the requests of the run, warm-up and rulebot\'s queue included. ' +
      'Latencies exact, from every 2xx response. Disk commit: p50/p90 of one SQLite commit of a 6 KB row (WAL, synchronous=FULL) just before the run.',
    ...table(rows),
    `rulebot: ${count(accepted)} answered 202 in the measured runs; ${count(processed)} events processed (warm-up included), ` +
      `${failed} failed, ${range(matched)} rules matched per event`,
    `probot: ${count(handled)} events handled (warm-up included), ${range(probotMatched)} rules matched per event`,
    ...table(summary),
    `rulebot/probot ${describe(ratios.rulebotOverProbot)}; rulebot/ceiling ${describe(ratios.rulebotOverCeiling)}`,
    `probot/ceiling ${describe(ratios.probotOverCeiling)}; hono/ceiling ${describe(ratios.honoOverCeiling)} (the framework alone)`,
    `target: rulebot/probot ≥ ${INGEST_PROBOT_TARGET}: ${verdict(ratios.rulebotOverProbot.best >= INGEST_PROBOT_TARGET)}; ` +
      `rulebot/ceiling ≥ ${INGEST_RATIO_TARGET}: ${verdict(ratios.rulebotOverCeiling.best >= INGEST_RATIO_TARGET)} (best/best)`,
    `decision records: rulebot/rulebot-without-records, CPU µs per request ${perRound(records.cpu)}; req/s ${perRound(records.requestsPerSecond)}`,
    `target: storing records costs under ${RECORDS_COST_TARGET * 100}% CPU per request: ${verdict(records.cpu.median < 1 + RECORDS_COST_TARGET)} (median of the rounds)`,
  ];
}

// The human-readable report of the scheduled-scan benchmark.
import { count, table, verdict } from './format.js';
import type { ScanResult, ScanRun } from './scan.js';

/** API calls may exceed the fewest possible by at most this share. */
export const SCAN_CALLS_TARGET = 1.05;
/** rulebot's peak RSS during a scan of 10,000 merge requests. */
export const SCAN_RSS_TARGET_BYTES = 150 * 1024 * 1024;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Calls over the minimum for a complete scan; below 1 only when the scan left matching items out. */
export function callsRatio(run: ScanRun): number {
  return run.recorded.total / run.expectation.minimumCalls;
}

export function reportScan(result: ScanResult): string[] {
  const rows = [
    ['scenario', 'MRs', 'listed', 'matching', 'scanned', 'acted', 'calls', 'fake saw', 'minimum', 'calls/min', 'wall', 'bot CPU', 'fake CPU', 'RSS before', 'RSS peak', 'max RSS'],
    ...result.runs.map((run) => {
      const { scenario, expectation, child, recorded } = run;
      return [
        scenario.name,
        count(scenario.mergeRequests),
        count(expectation.listed),
        count(expectation.matching),
        count(child.report.scanned),
        count(child.report.acted),
        count(child.report.api_calls),
        `${recorded.total} (${recorded.listPages}+${recorded.puts}+${recorded.notes}${recorded.other.length > 0 ? `+${recorded.other.length}` : ''})`,
        count(expectation.minimumCalls),
        callsRatio(run).toFixed(3),
        seconds(child.wallMs),
        `${child.cpuMs.toFixed(0)} ms`,
        `${run.fakeCpuMs.toFixed(0)} ms`,
        mib(child.memory.rssBeforeBytes),
        mib(child.memory.rssPeakBytes),
        mib(child.memory.maxRssBytes),
      ];
    }),
  ];
  return [
    '## Scheduled scans: "mark stale merge requests" in one project, run by the real server in a child process',
    'listed: what GitLab\'s filtered listing holds; matching: what the whole rule matches (both from the fake\'s data).',
    'fake saw: requests the fake GitLab recorded (list pages + PUTs + comment POSTs + other); minimum: pages of 100 of the listing + one PUT and one POST per matching item.',
    'RSS peak: sampled every 50 ms during the scan; max RSS: the kernel\'s high-water mark for the whole child (start-up included).',
    ...table(rows),
    ...result.runs.flatMap((run) => verdicts(run)),
    ...result.runs.flatMap((run) => budgetLine(run)),
  ];
}

function verdicts(run: ScanRun): string[] {
  const { scenario, expectation, child, outcome } = run;
  const complete = child.report.acted === expectation.matching && outcome.labelled === expectation.matching && outcome.commented === expectation.matching;
  const ratio = callsRatio(run);
  const lines = [
    `${scenario.name}: acted on every matching item: ${verdict(complete)} (${outcome.labelled}/${expectation.matching} labelled, ` +
      `${outcome.commented} commented, per the fake); calls ≤ ${SCAN_CALLS_TARGET} × minimum for a complete scan: ` +
      `${verdict(complete && ratio <= SCAN_CALLS_TARGET)} (${ratio.toFixed(3)}); peak RSS < ${mib(SCAN_RSS_TARGET_BYTES)}: ` +
      `${verdict(child.memory.maxRssBytes < SCAN_RSS_TARGET_BYTES)} (${mib(child.memory.maxRssBytes)})`,
  ];
  if (child.report.errors.count > 0) lines.push(`  ${child.report.errors.count} errors, first: ${child.report.errors.first.join(' | ')}`);
  if (child.logged.count > 0) lines.push(`  ${child.logged.count} warnings logged, first: ${child.logged.first.join(' | ')}`);
  if (run.recorded.other.length > 0) lines.push(`  other calls: ${run.recorded.other.slice(0, 5).join(', ')}`);
  return lines;
}

function budgetLine(run: ScanRun): string[] {
  const { budget, scenario, child, recorded } = run;
  if (!budget) return [];
  return [
    `budget ${scenario.requestsPerMinute}/min, notes ${scenario.notesPerMinute >= 1e6 ? 'unlimited' : `${scenario.notesPerMinute}/min`} (${scenario.name}): ` +
      `${recorded.total} calls, ${recorded.notes} notes → bound ${budget.expectedS.toFixed(1)} s ` +
      `(requests ${budget.requestsS.toFixed(1)} s, notes ${budget.notesS.toFixed(1)} s); took ${seconds(child.wallMs)}: ` +
      `ratio ${(child.wallMs / 1000 / budget.expectedS).toFixed(3)}`,
  ];
}

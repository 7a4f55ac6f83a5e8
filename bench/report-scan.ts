// The human-readable report of the scheduled-scan benchmark.
import { count, table, verdict } from './format.js';
import { scanPeakRss, type ScanResult, type ScanRun } from './scan.js';

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
    ['scenario', 'MRs', 'listed', 'matching', 'scanned', 'acted', 'calls', 'fake saw', 'minimum', 'calls/min', 'wall', 'bot CPU', 'fake CPU', 'RSS before', 'RSS sampled', 'RSS peak', 'heap peak'],
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
        mib(scanPeakRss(child.memory)),
        mib(child.memory.heapUsedPeakBytes),
      ];
    }),
  ];
  return [
    '## Scheduled scans: "mark stale merge requests" in one project, run by the real server in a child process',
    `child: ${result.child.command} (bench/scan-child.ts bundled in ${result.child.buildMs.toFixed(0)} ms with the flags of npm run build: ${result.child.buildFlags.join(' ')})`,
    'listed: what GitLab\'s filtered listing holds; matching: what the whole rule matches (both from the fake\'s data).',
    'fake saw: requests the fake GitLab recorded (list pages + PUTs + comment POSTs + other); minimum: pages of 100 of the listing + one PUT and one POST per matching item.',
    'RSS sampled: highest of samples every 50 ms during the scan; RSS peak: the kernel\'s high-water mark (maxRSS) if the scan raised it, else the sampled one.',
    ...table(rows),
    '',
    ...table([
      ['targets', 'every matching item acted on (per the fake)', `calls ≤ ${SCAN_CALLS_TARGET} × minimum`, `RSS peak < ${mib(SCAN_RSS_TARGET_BYTES)}`],
      ...result.runs.map(targetRow),
    ]),
    ...result.runs.flatMap(problems),
    ...result.runs.flatMap(budgetLine),
  ];
}

/** One row per scenario: each target's verdict with its figure. */
function targetRow(run: ScanRun): string[] {
  const { expectation, child, outcome } = run;
  const complete = child.report.acted === expectation.matching && outcome.labelled === expectation.matching && outcome.commented === expectation.matching;
  const ratio = callsRatio(run);
  return [
    run.scenario.name,
    `${verdict(complete)} (${outcome.labelled}/${expectation.matching} labelled, ${outcome.commented} commented)`,
    `${verdict(complete && ratio <= SCAN_CALLS_TARGET)} (${ratio.toFixed(3)})`,
    `${verdict(scanPeakRss(child.memory) < SCAN_RSS_TARGET_BYTES)} (${mib(scanPeakRss(child.memory))})`,
  ];
}

/** Errors, warnings and unexpected calls of a run, if any. */
function problems(run: ScanRun): string[] {
  const { child, recorded, scenario } = run;
  const lines: string[] = [];
  if (child.report.errors.count > 0) lines.push(`${scenario.name}: ${child.report.errors.count} errors, first: ${child.report.errors.first.join(' | ')}`);
  if (child.logged.count > 0) lines.push(`${scenario.name}: ${child.logged.count} warnings logged, first: ${child.logged.first.join(' | ')}`);
  if (recorded.other.length > 0) lines.push(`${scenario.name}: other calls: ${recorded.other.slice(0, 5).join(', ')}`);
  return lines;
}

function budgetLine(run: ScanRun): string[] {
  const { budget, scenario, child, recorded } = run;
  if (!budget) return [];
  return [
    `budget ${scenario.requestsPerMinute}/min, notes ${scenario.notesPerMinute >= 1e6 ? 'unlimited' : `${scenario.notesPerMinute}/min`} (${scenario.name}): ` +
      `${recorded.total} calls, ${recorded.notes} notes → bound ${budget.expectedS.toFixed(1)} s ` +
      `(requests ${budget.requestsS.toFixed(1)} s, notes ${budget.notesS.toFixed(1)} s); took ${seconds(child.wallMs)}: ` +
      `ratio ${(child.wallMs / 1000 / budget.expectedS).toFixed(3)} (calls / rate without the burst: ${budget.withoutBurstS.toFixed(1)} s)`,
  ];
}

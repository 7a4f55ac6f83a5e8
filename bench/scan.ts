// Scheduled-scan benchmark: a "mark stale" rule run by the real server (in a child process) over a fake GitLab of 10,000 merge requests.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { FakeGitLab } from '../test/support/fake-gitlab.js';
import { buildScanChild } from './scan-build.js';
import { CHILD_EXEC_ARGV, runScanChild } from './scan-client.js';
import type { ScanChildDone, ScanMemory } from './scan-protocol.js';
import { checkScan, expectScan, RULE_NAME, seedScenario, staleRule, type ScanExpectation, type ScanScenario } from './scan-scenarios.js';

const TOKEN = 'bench-token';
const BOT = { id: 99, username: 'rulebot', name: 'rulebot' };
const UNLIMITED = 1_000_000;

/** Full speed on 10,000 merge requests, then the default request budget (600/min) on smaller counts. */
export const SCAN_SCENARIOS: readonly ScanScenario[] = [
  { name: 'filtered', mergeRequests: 10_000, stale: 200, excludedBy: 'filters', requestsPerMinute: UNLIMITED, notesPerMinute: UNLIMITED },
  { name: 'page-through', mergeRequests: 10_000, stale: 200, excludedBy: 'title', requestsPerMinute: UNLIMITED, notesPerMinute: UNLIMITED },
  { name: 'default budgets', mergeRequests: 2_000, stale: 20, excludedBy: 'filters', requestsPerMinute: 600, notesPerMinute: 50 },
  { name: '600/min, notes unlimited', mergeRequests: 5_000, stale: 100, excludedBy: 'title', requestsPerMinute: 600, notesPerMinute: UNLIMITED },
];

/** The calls the fake GitLab recorded during the scan, by kind. */
export interface RecordedCalls {
  total: number;
  listPages: number;
  puts: number;
  notes: number;
  other: string[];
}

/** How long the rate budgets alone make the calls take: RateBudget's token buckets, starting full. */
export interface BudgetBound {
  requestsS: number;
  notesS: number;
  /** The larger of the two. */
  expectedS: number;
  /** calls / rate, without the burst: what the budgets would impose on a bucket that starts empty. */
  withoutBurstS: number;
}

export interface ScanRun {
  scenario: ScanScenario;
  expectation: Omit<ScanExpectation, 'matchingIids'>;
  child: ScanChildDone;
  recorded: RecordedCalls;
  /** Matching merge requests labelled stale / commented on afterwards, per the fake's state. */
  outcome: { labelled: number; commented: number };
  /** CPU time of the fake GitLab (this process) during the scan. */
  fakeCpuMs: number;
  /** Only with a finite request budget. */
  budget?: BudgetBound;
  /** Seeding the fake and working out the expected figures. */
  seedMs: number;
}

export interface ScanResult {
  /** How the rulebot child was run: the bundle built before the scenarios, and the Node command line. */
  child: { command: string; buildFlags: string[]; buildMs: number };
  runs: ScanRun[];
}

/**
 * RSS peak of the scan: the kernel's high-water mark when the scan raised it (the true peak, spikes
 * between samples included), else the highest 50 ms sample (start-up had set a higher mark).
 */
export function scanPeakRss(memory: ScanMemory): number {
  return memory.maxRssBytes > memory.maxRssBeforeBytes ? memory.maxRssBytes : memory.rssPeakBytes;
}

/**
 * Bundles the child once (as `npm run build` bundles rulebot for `npm start`), then runs every scenario once,
 * each against a fresh fake GitLab and a fresh rulebot process.
 */
export async function benchScan(progress: (line: string) => void): Promise<ScanResult> {
  const bundle = await buildScanChild();
  const command = `node ${CHILD_EXEC_ARGV.join(' ')} ${relative(process.cwd(), bundle.file)}`;
  progress(`  rulebot child bundled in ${bundle.buildMs.toFixed(0)} ms: ${command}`);
  try {
    const runs: ScanRun[] = [];
    for (const scenario of SCAN_SCENARIOS) {
      runs.push(await runScenario(scenario, bundle.file));
      progress(describeRun(runs.at(-1)!));
    }
    return { child: { command, buildFlags: bundle.flags, buildMs: bundle.buildMs }, runs };
  } finally {
    await bundle.remove();
  }
}

async function runScenario(scenario: ScanScenario, childFile: string): Promise<ScanRun> {
  // The fake counts its rate limit down and never refills it; at 0 rulebot would rightly pause until the reset.
  const gitlab = new FakeGitLab({ token: TOKEN, botUser: BOT, rateLimit: 1_000_000_000 });
  const dir = await mkdtemp(join(tmpdir(), 'rulebot-bench-scan-'));
  try {
    const seedStarted = performance.now();
    const now = Date.now();
    seedScenario(gitlab, scenario, now);
    const { matchingIids, ...expectation } = expectScan(gitlab, scenario, now);
    const seedMs = performance.now() - seedStarted;
    await writeFile(join(dir, 'stale.yml'), staleRule(scenario));
    await gitlab.start();

    let cpuBefore = process.cpuUsage();
    const child = await runScanChild(childFile, { env: childEnv(scenario, gitlab.url, dir), rule: RULE_NAME, sampleMs: 50 }, () => {
      gitlab.clearRequests();
      cpuBefore = process.cpuUsage();
    });
    const cpu = process.cpuUsage(cpuBefore);
    const recorded = recordedCalls(gitlab);
    const outcome = checkScan(gitlab, { ...expectation, matchingIids }, BOT.id);
    const budget = scenario.requestsPerMinute < UNLIMITED ? budgetBound(scenario, recorded) : undefined;
    return { scenario, expectation, child, recorded, outcome, fakeCpuMs: (cpu.user + cpu.system) / 1000, ...(budget && { budget }), seedMs };
  } finally {
    await gitlab.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function childEnv(scenario: ScanScenario, gitlabUrl: string, dir: string): Record<string, string> {
  return {
    GITLAB_URL: gitlabUrl,
    GITLAB_TOKEN: TOKEN,
    GITLAB_WEBHOOK_SECRET: 'bench-secret',
    RULES_DIR: dir,
    DATA_DIR: join(dir, 'data'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    GITLAB_REQUESTS_PER_MINUTE: String(scenario.requestsPerMinute),
    GITLAB_NOTES_PER_MINUTE: String(scenario.notesPerMinute),
  };
}

function recordedCalls(gitlab: FakeGitLab): RecordedCalls {
  const calls: RecordedCalls = { total: gitlab.requests.length, listPages: 0, puts: 0, notes: 0, other: [] };
  for (const { method, path } of gitlab.requests) {
    if (method === 'GET' && /\/merge_requests$/.test(path)) calls.listPages++;
    else if (method === 'PUT' && /\/merge_requests\/\d+$/.test(path)) calls.puts++;
    else if (method === 'POST' && /\/merge_requests\/\d+\/notes$/.test(path)) calls.notes++;
    else calls.other.push(`${method} ${path}`);
  }
  return calls;
}

/**
 * The time the budgets impose on the calls made: each bucket starts full (`burst` calls go at once:
 * perMinute / 6 for all calls, min(10, perMinute) for notes, as src/gitlab/rate-budget.ts and
 * src/engine.ts set them), then refills at its rate.
 */
export function budgetBound(scenario: ScanScenario, recorded: RecordedCalls): BudgetBound {
  const bound = (calls: number, perMinute: number, burst: number) => (Math.max(0, calls - burst) / perMinute) * 60;
  const requestsS = bound(recorded.total, scenario.requestsPerMinute, Math.max(1, Math.floor(scenario.requestsPerMinute / 6)));
  const notesS = bound(recorded.notes, scenario.notesPerMinute, Math.min(10, scenario.notesPerMinute));
  const withoutBurstS = Math.max(bound(recorded.total, scenario.requestsPerMinute, 0), bound(recorded.notes, scenario.notesPerMinute, 0));
  return { requestsS, notesS, expectedS: Math.max(requestsS, notesS), withoutBurstS };
}

function describeRun(run: ScanRun): string {
  const { scenario, child, expectation, recorded } = run;
  const budget = run.budget ? `, budget bound ${run.budget.expectedS.toFixed(1)} s` : '';
  return (
    `  ${scenario.name}: ${scenario.mergeRequests} MRs, scanned ${child.report.scanned}/${expectation.listed}, ` +
    `acted ${child.report.acted}/${expectation.matching}, ${recorded.total} calls (minimum ${expectation.minimumCalls}), ` +
    `${(child.wallMs / 1000).toFixed(2)} s${budget}, RSS peak ${(scanPeakRss(child.memory) / 2 ** 20).toFixed(0)} MiB`
  );
}

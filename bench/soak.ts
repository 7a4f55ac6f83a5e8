// Soak benchmark: the real server under a steady stream of webhooks while the fake GitLab fails ~5% of its calls; every acknowledged event checked for exactly-once.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './options.js';
import { startRulebot, type ChildMemory, type LogTally, type RulebotChild } from './soak-child.js';
import { countByKind, injectFaults, planFaults, type FaultKind } from './soak-faults.js';
import { digestSources, listDeadLetters, readStatus, tallyCalls, waitForDrain, type CallTally, type Status } from './soak-inspect.js';
import { clockArrivals, mergeRequestKey, seedGitLab, soakMergeRequests, TOKEN } from './soak-gitlab.js';
import { sendSteadily, summariseSend, WEBHOOK_SECRET, type SendSummary } from './soak-send.js';
import { LABEL, verifySoak, type Anomaly, type SoakOutcome } from './soak-verify.js';

export interface SoakOptions {
  /** Events sent, one `merge_request.open` per merge request. */
  events: number;
  /** Webhooks per second. */
  rate: number;
  /** Projects the merge requests are spread over (events of one project run in order, one at a time). */
  projects: number;
  /** Share of merge requests whose label PUT or comment POST meets a fault. */
  faultRate: number;
  /** QUEUE_CONCURRENCY of the rulebot child; rulebot's default (4) when absent. */
  concurrency?: number | undefined;
  /** How long to wait for the queue to drain once every webhook was answered. */
  drainTimeoutS: number;
  /** Keep rulebot's log (and data) even when every event came out right. */
  keepLog?: boolean;
}

/** 2,000 merge requests per project in the full run of 20,000 events. */
export const SOAK_PROJECTS = 10;
/** The full run of 20,000 events drained in about 4.5 minutes; this is for a queue that never drains. */
export const SOAK_DRAIN_TIMEOUT_S = 600;
/** The soak's options from `npm run bench -- --only soak --soak-events N --soak-rate N --soak-fault-rate F --soak-concurrency N`. */
export function soakOptionsFrom(options: BenchOptions): SoakOptions {
  return {
    events: options['soak-events'],
    rate: options['soak-rate'],
    projects: SOAK_PROJECTS,
    faultRate: options['soak-fault-rate'],
    concurrency: options['soak-concurrency'],
    drainTimeoutS: SOAK_DRAIN_TIMEOUT_S,
  };
}

/** Unlimited for the purpose: the rate budgets are not what the soak measures. */
export const BUDGET_PER_MINUTE = 10_000_000;
const FAULT_SEED = 20_261_124;
/** The crash test's rule: one label PUT and one comment POST per event (see soak-verify.ts for what is expected). */
const RULES = `rules:
  - name: welcome
    on: merge_request.open
    then:
      add_labels: [${LABEL}]
      comment: "Thanks for !{{ iid }}."
`;

export interface SoakResult {
  options: SoakOptions;
  faults: Record<FaultKind, number>;
  send: SendSummary;
  /** From the last webhook answered until `GET /status` showed depth 0; undefined if it never did. */
  drainS: number | undefined;
  outcome: Omit<SoakOutcome, 'anomalies'> & { anomalies: (Anomaly & { log: string[] })[] };
  /** Completed events per second, from the first webhook sent to the last action. */
  throughput: number;
  /**
   * Completed events whose merge request met no fault, per second, from the first webhook sent to the last
   * action about one of them: how well the stream kept flowing. The faulted events' own waits (a comment
   * whose answer was lost is looked for again 65 s later before it is posted again) set the other figure.
   */
  cleanThroughput: number;
  calls: CallTally;
  status: Status['queue'];
  /** `rulebot dead-letters` lines. */
  deadLetters: string[];
  child: { memory: ChildMemory & { startBytes: number; drainedBytes: number }; cpuMs: number; logs: LogTally };
  /** Which src/ was measured (see `digestSources`). */
  srcDigest: string;
  /** Wall time of the whole run, seeding included. */
  wallS: number;
  /** Where rulebot's log was kept: when something went wrong, or when asked to. */
  keptLog?: string;
}

export async function benchSoak(options: SoakOptions, progress: (line: string) => void): Promise<SoakResult> {
  const started = Date.now();
  const srcDigest = await digestSources();
  const mergeRequests = soakMergeRequests(options.events, options.projects);
  const gitlab = seedGitLab(mergeRequests);
  const planned = planFaults(mergeRequests, options.faultRate, FAULT_SEED);
  const dir = await mkdtemp(join(tmpdir(), 'rulebot-soak-'));
  const logFile = join(dir, 'rulebot.log');
  const env = {
    GITLAB_URL: await gitlab.start(), GITLAB_TOKEN: TOKEN, GITLAB_WEBHOOK_SECRET: WEBHOOK_SECRET, RULES_DIR: dir, DATA_DIR: join(dir, 'data'),
    PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info',
    ...(options.concurrency !== undefined && { QUEUE_CONCURRENCY: String(options.concurrency) }),
    GITLAB_REQUESTS_PER_MINUTE: String(BUDGET_PER_MINUTE), GITLAB_NOTES_PER_MINUTE: String(BUDGET_PER_MINUTE),
  };
  let child: RulebotChild | undefined;
  let keep = false;
  try {
    await writeFile(join(dir, 'welcome.yml'), RULES);
    child = await startRulebot(env, logFile);
    const { url } = child;
    const startBytes = await child.rssNow();
    gitlab.clearRequests();
    injectFaults(gitlab, planned);
    const lastCall = clockArrivals(gitlab);
    progress(`  ${options.events} events at ${options.rate}/s over ${options.projects} projects, ${planned.length} faulted merge requests, rulebot pid ${child.pid}`);
    const ticker = setInterval(() => void tick(url, child!, started, progress), 5_000);
    const send = await sendSteadily(url, mergeRequests, options.rate, String(started));
    const drainS = await waitForDrain(url, options.drainTimeoutS * 1000, child.ended).then((ms) => ms && ms / 1000);
    clearInterval(ticker);
    // A slow answer lands 1 s after the client gave up on it; let the last ones arrive before looking.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const status = (await readStatus(url)).queue;
    const drainedBytes = await child.rssNow();
    const stopped = await child.stop();

    const deadLetters = status.dead_letters > 0 ? await listDeadLetters(env.DATA_DIR) : [];
    const deadLetterKeys = new Set(deadLetters.map((line) => line.split(' ')[0]!));
    const faulted = new Set(planned.map(({ projectId, iid }) => mergeRequestKey(projectId, iid)));
    const outcome = verifySoak(gitlab, send.deliveries, lastCall, deadLetterKeys, faulted);
    const shown = outcome.anomalies.slice(0, 10);
    const logLines = await child.linesAbout(shown.map((anomaly) => anomaly.key));
    keep = options.keepLog === true || outcome.anomalies.length > 0 || drainS === undefined;
    return {
      options,
      faults: countByKind(planned),
      send: summariseSend(send),
      drainS,
      outcome: { ...outcome, anomalies: shown.map((anomaly) => ({ ...anomaly, log: logLines.get(anomaly.key) ?? [] })) },
      throughput: outcome.completed / ((outcome.lastActionAt - send.startedAt) / 1000),
      cleanThroughput: (outcome.completed - outcome.faultedCompleted) / ((outcome.lastCleanActionAt - send.startedAt) / 1000),
      calls: tallyCalls(gitlab.requests),
      status,
      deadLetters,
      child: { ...stopped, memory: { ...stopped.memory, startBytes, drainedBytes }, logs: child.logs },
      srcDigest,
      wallS: (Date.now() - started) / 1000,
      ...(keep && { keptLog: logFile }),
    };
  } finally {
    await child?.stop();
    await gitlab.stop();
    if (!keep) await rm(dir, { recursive: true, force: true });
  }
}

/** One progress line: seconds since the start, queue depth, dead letters, rulebot's RSS. */
async function tick(url: string, child: RulebotChild, started: number, progress: (line: string) => void): Promise<void> {
  try {
    const { queue } = await readStatus(url);
    const at = ((Date.now() - started) / 1000).toFixed(0);
    progress(`  ${at} s: queue depth ${queue.depth}, dead letters ${queue.dead_letters}, RSS ${mib(await child.rssNow())}`);
  } catch {
    // A busy server answers late; the next tick will tell.
  }
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

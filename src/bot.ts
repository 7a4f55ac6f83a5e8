// Assembles rulebot from injected parts; every runtime builds its entry point on this.
import type { Hono } from 'hono';
import { EventQueue, type Job, type RetryPolicy } from './actions/event-queue.js';
import { DiffCache } from './actions/facts.js';
import { processEvent, type EventOutcome } from './actions/process-event.js';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { ConfigError, GitLabApiError } from './errors.js';
import { CommandRateLimiter } from './commands/rate-limit.js';
import { runCommands, type CommandReport } from './commands/run-commands.js';
import { getCurrentUser, GitLabClient, MemberDirectory, RateBudget, UserDirectory, type User } from './gitlab/index.js';
import type { Logger } from './log.js';
import type { Rule, RuleSet } from './rules/index.js';
import { runScheduleRule, type ScanOptions, type ScanReport } from './schedule/scan.js';
import { Scheduler } from './schedule/scheduler.js';
import type { Store, StoredJob } from './store/index.js';
import { normalizeEvent } from './webhook/normalize.js';

export interface BotDeps {
  config: Config;
  rules: RuleSet;
  store: Store;
  log: Logger;
  /** The runtime's `fetch` (pooled on Node). */
  fetch?: typeof fetch;
  /** Options passed through to the GitLab client (tests shorten its back-off). */
  gitlab?: Partial<ConstructorParameters<typeof GitLabClient>[0]>;
  /** Called after each event is processed (tests and metrics). */
  onProcessed?: (job: Job, outcome: EventOutcome, commands: CommandReport[]) => void;
  /** Clock for caches and the command rate limit (tests). */
  now?: () => number;
  /** How failed events are retried (tests shorten it). */
  retry?: Partial<RetryPolicy>;
  /** How long GitLab may still be making a comment whose answer was lost (default 65 s; tests shorten it). */
  lostAnswerWindowMs?: number;
}

export interface Bot {
  app: Hono;
  store: Store;
  /** Puts a dead letter back in the queue; false when there is none with that id. */
  retryDeadLetter(id: string): Promise<boolean>;
  ruleSet: RuleSet;
  queue: EventQueue;
  /** Runs schedule rules on their cron; `start()` it where the runtime keeps running. */
  scheduler: Scheduler;
  /** Runs one schedule rule now, as `rulebot schedule` does. */
  runSchedule(rule: Rule, options?: { dryRun?: boolean; onProgress?: ScanOptions['onProgress'] }): Promise<ScanReport>;
  gitlab: GitLabClient;
  /** The token's user, known after `init()` (undefined without a token). */
  user(): User | undefined;
  /** Asks GitLab who the token acts as; refuses to go on with a token GitLab rejects. */
  init(): Promise<void>;
  /**
   * Queues the stored events this process is not running: at start, those a previous process accepted
   * and did not finish (after a crash or restart); later, dead letters put back by `rulebot dead-letters --retry`.
   */
  resume(): Promise<void>;
  /** Refuses new deliveries (503), starts no new attempt, and waits up to `graceMs` for the ones under way. */
  stop(graceMs?: number): Promise<void>;
}

export function createBot(deps: BotDeps): Bot {
  const { config, log } = deps;
  const now = deps.now ?? Date.now;
  const health = { lastGitLabAnswer: 0 };
  const budget = {
    all: new RateBudget({ perMinute: config.requestsPerMinute }),
    notes: new RateBudget({ perMinute: config.notesPerMinute, burst: Math.min(10, config.notesPerMinute) }),
  };
  const gitlab = new GitLabClient({
    baseUrl: config.gitlabUrl,
    token: config.gitlabToken,
    tokenType: config.tokenType,
    fetch: deps.fetch,
    timeoutMs: config.gitlabTimeoutMs,
    budget,
    // Readiness: any answer from GitLab (not a 5xx, not a network error) shows it is reachable.
    onAttempt: ({ status }) => {
      if (status > 0 && status < 500) health.lastGitLabAnswer = now();
    },
    ...deps.gitlab,
  });
  const users = new UserDirectory({ now });
  const members = new MemberDirectory({ now });
  const limiter = new CommandRateLimiter({ limit: config.commandRateLimit, now });
  const diffCache = new DiffCache();
  const services = { rules: deps.rules, gitlab, users, members, diffCache, log, dryRun: config.dryRun, now };
  let botUser: User | undefined;

  let accepting = true;
  const queue = new EventQueue({
    concurrency: config.queueConcurrency,
    store: deps.store,
    log,
    now,
    retry: deps.retry,
    run: async (job) => {
      const jobLog = log.child({ event_id: job.id });
      const effects = {
        store: deps.store,
        jobId: job.id,
        retrying: job.stored.attempts > 0 || job.resumed === true,
        scope: 'event',
        lostAnswerWindowMs: deps.lostAnswerWindowMs ?? 65_000,
        now,
      };
      const processDeps = { ...services, gitlab: gitlab.forEvent(job.eventUuid), log: jobLog, effects };
      const outcome = await processEvent(job.event, processDeps);
      const commands = await runCommands(job.event, { ...processDeps, botUsername: botUser?.username, store: deps.store, limiter });
      const calls = outcome.calls.length + commands.reduce((sum, report) => sum + report.calls.length, 0);
      jobLog.info('event processed', { matched: outcome.matched, commands: commands.length, calls, dry_run: config.dryRun });
      deps.onProcessed?.(job, outcome, commands);
    },
  });

  const runSchedule: Bot['runSchedule'] = (rule, options = {}) =>
    runScheduleRule(rule, { ...services, dryRun: options.dryRun ?? config.dryRun }, { botUser, onProgress: options.onProgress });
  const scheduler = new Scheduler({ rules: deps.rules.rules, run: (rule) => runSchedule(rule), store: deps.store, log, now });

  const app = createApp({
    secrets: config.webhookSecrets,
    signingKeys: config.webhookSigningKeys,
    now,
    maxBodyBytes: config.maxBodyBytes,
    store: deps.store,
    enqueue: (job) => queue.push(job),
    accepting: () => accepting,
    botUserId: () => botUser?.id,
    log,
    health: {
      status: async () => ({ queue: { ...(await deps.store.queueStats()), in_process: queue.size }, accepting }),
      ready: async () => {
        const store = await deps.store.queueStats().then(() => true, () => false);
        const gitlabOk = !config.gitlabToken || now() - health.lastGitLabAnswer < 60_000 || (await probe());
        return { ready: store && gitlabOk && accepting, checks: { store, rules: deps.rules.rules.length, gitlab: gitlabOk, accepting } };
      },
    },
  });
  const probe = () => getCurrentUser(gitlab.once()).then(() => true, () => false);

  return {
    app,
    store: deps.store,
    async retryDeadLetter(id) {
      const stored = await deps.store.reviveDeadLetter(id);
      const job = stored && (await restoreJob(stored, deps.store, log));
      // Its earlier attempts may have made some of its calls: check before making them again.
      if (job) queue.push({ ...job, resumed: true });
      return job !== undefined;
    },
    ruleSet: deps.rules,
    queue,
    scheduler,
    runSchedule,
    gitlab,
    user: () => botUser,
    async resume() {
      // Ids first: while thousands of events are queued here, none of them is read again.
      for (const id of await deps.store.unfinishedJobIds()) {
        if (queue.has(id)) continue;
        const stored = await deps.store.job(id);
        const job = stored && (await restoreJob(stored, deps.store, log));
        if (job) queue.push({ ...job, resumed: true });
      }
    },
    async stop(graceMs = 10_000) {
      accepting = false;
      scheduler.stop();
      queue.stop();
      const idle = queue.onIdle().then(() => 'idle' as const);
      const late = new Promise<'late'>((resolve) => setTimeout(resolve, graceMs, 'late').unref?.());
      if ((await Promise.race([idle, late])) === 'late') log.warn('stopping with events in progress; they stay queued', { in_process: queue.size });
    },
    async init() {
      if (!config.gitlabToken) return;
      try {
        botUser = await getCurrentUser(gitlab);
      } catch (error) {
        if (error instanceof GitLabApiError && (error.status === 401 || error.status === 403)) {
          throw new ConfigError(
            `GitLab at ${config.gitlabUrl} refused GITLAB_TOKEN (${error.message}): check that the token is valid, ` +
              'not expired, and that GITLAB_TOKEN_TYPE matches it (private, oauth or job)',
          );
        }
        throw error;
      }
      users.remember(botUser.username, botUser);
    },
  };
}

/** Turns a stored job back into a runnable one; a payload that no longer reads is a dead letter. */
async function restoreJob(stored: StoredJob, store: Store, log: Logger): Promise<Job | undefined> {
  try {
    const result = normalizeEvent(JSON.parse(stored.payload) as Record<string, unknown>);
    if ('event' in result) return { id: stored.id, event: result.event, eventUuid: stored.event_uuid, stored: { ...stored, payload: '' } };
    await store.finishJob(stored.id);
  } catch (error) {
    await store.deadLetter(stored.id, `stored event cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    log.error('stored event cannot be read; kept as a dead letter', { event_id: stored.id });
  }
  return undefined;
}

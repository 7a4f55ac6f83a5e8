// The Node process: the engine behind an in-process queue, a cron scheduler (croner) and the HTTP app.
import type { Hono } from 'hono';
import { failureVerdict, restoreJob, type Job, type RetryPolicy } from '../../queue/index.js';
import { EventQueue } from './event-queue.js';
import type { EventOutcome } from '../../pipeline/index.js';
import { createApp } from '../../http/app.js';
import type { CommandReport } from '../../chatops/run-commands.js';
import { createEngine, type EngineDeps, type ScheduleRunOptions } from '../../engine.js';
import { GitLabApiError } from '../../errors.js';
import type { GitLabClient, User } from '../../gitlab/index.js';
import type { Rule, RuleSet } from '../../rules/index.js';
import type { RuleConfigs } from '../../project-rules/index.js';
import type { ScanReport } from '../../schedule/scan.js';
import { Scheduler } from './scheduler.js';
import type { Store, StoredJob } from '../../store/index.js';
import { countOutcomes } from '../../metrics/index.js';
import { ruleSummary } from '../../decisions/index.js';
import { createPrometheusMetrics } from './prometheus.js';
import { secretValues } from '../../config/config.js';
import { withBoundedErrors } from '../../store/bounded-errors.js';

export interface BotDeps extends EngineDeps {
  /** Called after each event is processed (tests and metrics). */
  onProcessed?: (job: Job, outcome: EventOutcome, commands: CommandReport[]) => void;
  /** How failed events are retried (tests shorten it). */
  retry?: Partial<RetryPolicy>;
}

export interface Bot {
  app: Hono;
  store: Store;
  /** Puts a dead letter back in the queue; false when there is none with that id. */
  retryDeadLetter(id: string): Promise<boolean>;
  ruleSet: RuleSet;
  /** Each project's own rules and the presets, read from GitLab and kept. */
  ruleConfigs: RuleConfigs;
  /** Schedule rules of presets and projects' own files, besides those of `ruleSet`. */
  dynamicScheduleRules(): Promise<Rule[]>;
  queue: EventQueue;
  /** Runs schedule rules on their cron; `start()` it where the runtime keeps running. */
  scheduler: Scheduler;
  /** Runs one schedule rule now, as `rulebot schedule` does. */
  runSchedule(rule: Rule, options?: Pick<ScheduleRunOptions, 'dryRun' | 'onProgress'>): Promise<ScanReport>;
  gitlab: GitLabClient;
  /** The token's user, known after `init()` (undefined without a token). */
  user(): User | undefined;
  /** Asks GitLab who the token acts as; refuses to go on with a token GitLab rejects. */
  init(): Promise<void>;
  /**
   * As `init()`, but when GitLab cannot be reached (no answer, 5xx, 429) it keeps asking in the
   * background, with back-off up to a minute, and resolves at once: webhooks are accepted and stored
   * meanwhile, and run once GitLab answers. Throws what no retry fixes (a token GitLab refuses).
   * Resolves true when GitLab answered now, false when it is asked again in the background.
   */
  connect(): Promise<boolean>;
  /** Resolves once GitLab has answered (at once without a token, or when `connect()` reached it). */
  connected(): Promise<void>;
  /** Checks the token (daily) and the webhook (every time); the server calls it every 5 minutes. Never throws. */
  tick(): Promise<void>;
  /**
   * Queues the stored events this process is not running: at start, those a previous process accepted
   * and did not finish (after a crash or restart); later, dead letters put back by `rulebot dead-letters --retry`.
   */
  resume(): Promise<void>;
  /**
   * Refuses new deliveries (503), starts no new attempt or schedule run, and waits up to `graceMs`
   * for the attempts under way; resolves whether they all finished.
   */
  stop(graceMs?: number): Promise<boolean>;
}

/** rulebot in one long-running process: the engine behind an in-process queue, a cron scheduler and the HTTP app. */
export function createBot(given: BotDeps): Bot {
  const now = given.now ?? Date.now;
  // Every error recorded, listed or shown in /status passes through this store: short and without secrets.
  const bounded = withBoundedErrors(given.store, secretValues(given.config));
  // Every event attempt ends in the store; counting there counts each outcome once.
  const prometheus = createPrometheusMetrics(() => bounded.queueStats(), now);
  const deps = { ...given, store: countOutcomes(bounded, prometheus.metrics), metrics: prometheus.metrics };
  const { config, log } = deps;
  const engine = createEngine(deps);

  let accepting = true;
  let ticking: Promise<void> | undefined;
  // What stops rulebot from reaching GitLab at start, until it answers; events wait for it.
  let unreachable: string | undefined;
  let reconnect: ReturnType<typeof setTimeout> | undefined;
  let markConnected!: () => void;
  const connection = new Promise<void>((resolve) => (markConnected = resolve));

  const queue = new EventQueue({
    concurrency: config.queueConcurrency,
    store: deps.store,
    log,
    now,
    retry: { ...config.retry, ...deps.retry },
    run: async (job) => {
      const retrying = job.stored.attempts > 0 || job.resumed === true;
      const retry = { ...config.retry, ...deps.retry };
      const { outcome, commands } = await engine.runEvent({
        id: job.id, event: job.event, eventUuid: job.eventUuid, retrying, firstAttemptAt: job.stored.first_attempt_at, receivedAt: job.stored.received_at,
        // Judged with the longest back-off that could be drawn: when that wait would end the retries,
        // this attempt is taken as the last, so a person's command is answered rather than given up unanswered.
        givesUp: (error) => 'deadLetter' in failureVerdict(error, job.stored, retry, now(), () => 1),
      });
      deps.onProcessed?.(job, outcome, commands);
    },
  });

  const runSchedule: Bot['runSchedule'] = async (rule, options = {}) => {
    if (unreachable) throw new Error(`GitLab at ${config.gitlabUrl} has not answered since rulebot started: ${unreachable}`);
    return engine.runSchedule(rule, options);
  };
  const scheduler = new Scheduler({
    rules: deps.rules.rules,
    dynamic: () => engine.dynamicScheduleRules(),
    run: (rule) => runSchedule(rule),
    store: deps.store,
    log,
    now,
  });

  const app = createApp({
    secrets: config.webhookSecrets,
    signingKeys: config.webhookSigningKeys,
    now,
    maxBodyBytes: config.maxBodyBytes,
    maxBodyBytesInFlight: config.maxBodyBytesInFlight,
    store: deps.store,
    enqueue: (job) => queue.push(job),
    accepting: () => accepting,
    botUserId: () => engine.user()?.id,
    log,
    health: {
      status: async () => ({
        queue: { ...(await deps.store.queueStats()), in_process: queue.size },
        accepting,
        rules: await engine.ruleConfigs.status(),
        ...(await deps.upkeep?.status()),
      }),
      ready: async () => {
        // A store that reads but cannot write (a full disk) would answer every delivery 500.
        const readable = await deps.store.queueStats().then(() => true, () => false);
        const store = readable && (await (deps.store.writable?.() ?? true));
        const gitlab = unreachable ? `cannot reach GitLab at ${config.gitlabUrl}: ${unreachable}` : await engine.gitlabReachable();
        // A credential found gone (a rotation whose answer was lost) says what to do here too.
        const credential = await deps.upkeep?.problem();
        const checks = { store, rules: deps.rules.rules.length, gitlab, accepting, ...(credential && { credential }) };
        return { ready: store && gitlab !== false && !unreachable && accepting && !credential, checks };
      },
    },
    deadLetters: { list: () => deps.store.deadLetters({ payloads: false }), retry: (id) => retryDeadLetter(id) },
    metrics: prometheus.metrics,
    uiTokens: config.uiTokens,
    metricsText: prometheus.render,
    metricsPublic: config.metricsPublic,
    ui: { runtime: 'node', rules: deps.rules.rules.map(ruleSummary), budget: engine.budget },
  });

  /** Queues a stored job some earlier attempt may have started: its calls are checked before being made again. */
  async function queueStored(stored: StoredJob | undefined): Promise<boolean> {
    const job = stored && (await restoreJob(stored, deps.store, log));
    if (job) queue.push({ ...job, resumed: true });
    return job !== undefined;
  }
  // Put back means back in the queue: a payload this version still cannot read becomes a dead letter again there.
  const retryDeadLetter = async (id: string) => {
    const stored = await deps.store.reviveDeadLetter(id);
    if (stored) await queueStored(stored);
    return stored !== undefined;
  };

  return {
    app,
    store: deps.store,
    retryDeadLetter,
    ruleSet: deps.rules,
    ruleConfigs: engine.ruleConfigs,
    dynamicScheduleRules: () => engine.dynamicScheduleRules(),
    queue,
    scheduler,
    runSchedule,
    gitlab: engine.gitlab,
    user: engine.user,
    init: engine.init,
    connected: () => connection,
    // One check at a time: a slow GitLab must not stack them up every 5 minutes.
    tick: () => (ticking ??= (deps.upkeep?.tick() ?? Promise.resolve()).finally(() => (ticking = undefined))),
    async connect() {
      try {
        await engine.init();
        markConnected();
        return true;
      } catch (error) {
        if (!(error instanceof GitLabApiError && error.retryable)) throw error;
        unreachable = error.message;
      }
      queue.hold();
      log.error(`cannot reach GitLab at ${config.gitlabUrl} (${unreachable}): webhooks are accepted and stored, and run once it answers; asking again`);
      const attempt = async (delayMs: number) => {
        try {
          await engine.init();
          unreachable = undefined;
          log.info(`GitLab at ${config.gitlabUrl} answers; running the events stored meanwhile`, { user: engine.user()?.username });
          queue.release();
          markConnected();
        } catch (error) {
          if (!accepting) return;
          if (error instanceof GitLabApiError && error.retryable) unreachable = error.message;
          else {
            // A token GitLab now refuses: nothing will change without an operator; say so, and keep asking.
            unreachable = error instanceof Error ? error.message : String(error);
            log.error(unreachable);
          }
          const next = Math.min(delayMs * 2, 60_000);
          log.warn(`GitLab at ${config.gitlabUrl} still cannot be reached (${unreachable}); asking again in ${Math.round(next / 1000)} s`);
          reconnect = setTimeout(() => void attempt(next), next);
          reconnect.unref?.();
        }
      };
      reconnect = setTimeout(() => void attempt(1_000), 1_000);
      reconnect.unref?.();
      return false;
    },
    async resume() {
      // Ids first: while thousands of events are queued here, none of them is read again.
      for (const id of await deps.store.unfinishedJobIds()) {
        if (!queue.has(id)) await queueStored(await deps.store.job(id));
      }
    },
    async stop(graceMs = 10_000) {
      accepting = false;
      clearTimeout(reconnect);
      scheduler.stop();
      queue.stop();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<false>((resolve) => (timer = setTimeout(resolve, graceMs, false)));
      const finished = await Promise.race([queue.onIdle().then(() => true), late]);
      clearTimeout(timer);
      return finished;
    },
  };
}


// Assembles rulebot from injected parts; every runtime builds its entry point on this.
import type { Hono } from 'hono';
import { EventQueue, type Job } from './actions/event-queue.js';
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
import type { Store } from './store/index.js';

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
}

export interface Bot {
  app: Hono;
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
}

export function createBot(deps: BotDeps): Bot {
  const { config, log } = deps;
  const budget = {
    all: new RateBudget({ perMinute: config.requestsPerMinute }),
    notes: new RateBudget({ perMinute: config.notesPerMinute, burst: Math.min(10, config.notesPerMinute) }),
  };
  const gitlab = new GitLabClient({
    baseUrl: config.gitlabUrl,
    token: config.gitlabToken,
    tokenType: config.tokenType,
    fetch: deps.fetch,
    budget,
    ...deps.gitlab,
  });
  const now = deps.now ?? Date.now;
  const users = new UserDirectory({ now });
  const members = new MemberDirectory({ now });
  const limiter = new CommandRateLimiter({ limit: config.commandRateLimit, now });
  const diffCache = new DiffCache();
  const services = { rules: deps.rules, gitlab, users, members, diffCache, log, dryRun: config.dryRun, now };
  let botUser: User | undefined;

  const queue = new EventQueue({
    concurrency: config.queueConcurrency,
    log,
    run: async (job) => {
      const jobLog = log.child({ event_id: job.id });
      const processDeps = { ...services, gitlab: gitlab.forEvent(job.eventUuid), log: jobLog };
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
    botUserId: () => botUser?.id,
    log,
  });

  return {
    app,
    ruleSet: deps.rules,
    queue,
    scheduler,
    runSchedule,
    gitlab,
    user: () => botUser,
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

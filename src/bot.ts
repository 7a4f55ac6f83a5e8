// Assembles rulebot from injected parts; every runtime builds its entry point on this.
import type { Hono } from 'hono';
import { EventQueue, type Job } from './actions/event-queue.js';
import { DiffCache } from './actions/facts.js';
import { processEvent, type EventOutcome } from './actions/process-event.js';
import { createApp } from './app.js';
import type { Config } from './config.js';
import { ConfigError, GitLabApiError } from './errors.js';
import { getCurrentUser, GitLabClient, UserDirectory, type User } from './gitlab/index.js';
import type { Logger } from './log.js';
import type { RuleSet } from './rules/index.js';
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
  onProcessed?: (job: Job, outcome: EventOutcome) => void;
}

export interface Bot {
  app: Hono;
  queue: EventQueue;
  gitlab: GitLabClient;
  /** The token's user, known after `init()` (undefined without a token). */
  user(): User | undefined;
  /** Asks GitLab who the token acts as; refuses to go on with a token GitLab rejects. */
  init(): Promise<void>;
}

export function createBot(deps: BotDeps): Bot {
  const { config, log } = deps;
  const gitlab = new GitLabClient({
    baseUrl: config.gitlabUrl,
    token: config.gitlabToken,
    tokenType: config.tokenType,
    fetch: deps.fetch,
    ...deps.gitlab,
  });
  const users = new UserDirectory();
  const diffCache = new DiffCache();
  let botUser: User | undefined;

  const queue = new EventQueue({
    concurrency: config.queueConcurrency,
    log,
    run: async (job) => {
      const jobLog = log.child({ event_id: job.id });
      const outcome = await processEvent(job.event, {
        rules: deps.rules,
        gitlab: gitlab.forEvent(job.eventUuid),
        users,
        diffCache,
        log: jobLog,
        dryRun: config.dryRun,
      });
      jobLog.info('event processed', { matched: outcome.matched, calls: outcome.calls.length, dry_run: config.dryRun });
      deps.onProcessed?.(job, outcome);
    },
  });

  const app = createApp({
    secret: config.webhookSecret,
    maxBodyBytes: config.maxBodyBytes,
    store: deps.store,
    enqueue: (job) => queue.push(job),
    botUserId: () => botUser?.id,
    log,
  });

  return {
    app,
    queue,
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

// What every runtime runs: the GitLab client and its caches, one event's rules and commands, one schedule rule's scan.
import { DiffCache, KnownLabels, processEvent, ReviewLoadCache, type ApiCall, type EventOutcome, type ProcessDeps } from './pipeline/index.js';
import { secretValues, type Config } from './config/config.js';
import { ConfigError, GitLabApiError } from './errors.js';
import { CommandRateLimiter } from './chatops/rate-limit.js';
import { runCommands, type CommandReport } from './chatops/run-commands.js';
import { getCurrentUser, GitLabClient, MemberDirectory, RateBudget, UserDirectory, type Diff, type User } from './gitlab/index.js';
import type { Logger } from './log.js';
import type { Rule, RuleSet } from './rules/index.js';
import { runScheduleRule, type ScanOptions, type ScanReport } from './schedule/scan.js';
import type { Store } from './store/index.js';
import type { RuleEvent } from './event/event.js';

export interface EngineDeps {
  config: Config;
  rules: RuleSet;
  store: Store;
  log: Logger;
  /** The runtime's `fetch` (pooled on Node). */
  fetch?: typeof fetch;
  /** Options passed through to the GitLab client (tests shorten its back-off). */
  gitlab?: Partial<ConstructorParameters<typeof GitLabClient>[0]>;
  /** Clock for caches, ages and the command rate limit (tests). */
  now?: () => number;
  /** How long GitLab may still be making a comment whose answer was lost (default 65 s; tests shorten it). */
  lostAnswerWindowMs?: number;
  /** When set, GitLab is not asked at all (simulating without a token); facts it would tell stay undecided, for this reason. */
  offline?: string;
}

/** One accepted event, ready to run. */
export interface EventRun {
  /** The id answered to GitLab; effects of the event are recorded under it. */
  id: string;
  event: RuleEvent;
  /** `X-Gitlab-Event-UUID` of the delivery, sent back on every API call made for it. */
  eventUuid: string | undefined;
  /** An earlier attempt may have made some of its calls: check before making them again. */
  retrying: boolean;
  /**
   * When the event's first attempt began: a comment an earlier attempt posted is looked for among the
   * notes made since (unset: among all of them).
   */
  firstAttemptAt?: number | undefined;
  /** Changed files given up front instead of read from GitLab (`rulebot simulate --diffs`). */
  diffs?: Diff[];
}

export interface EventResult {
  outcome: EventOutcome;
  commands: CommandReport[];
  /** The reply to refused commands and the reactions on their note. */
  replies: ApiCall[];
}

export interface ScheduleRunOptions extends Pick<ScanOptions, 'onProgress' | 'from' | 'maxItems' | 'actedBefore'> {
  dryRun?: boolean;
  /** The instant the run judges ages against and lists up to (default: now). */
  startedAt?: number;
}

export interface Engine {
  gitlab: GitLabClient;
  rules: RuleSet;
  /** Runs the rules and commands of one event; throws what should make it retry or fail. */
  runEvent(run: EventRun): Promise<EventResult>;
  /** Runs one schedule rule (or, with `maxItems`, one step of it). */
  runSchedule(rule: Rule, options?: ScheduleRunOptions): Promise<ScanReport>;
  /** The token's user, once known (undefined without a token). */
  user(): User | undefined;
  /** Takes the bot's user as known elsewhere (a cache shared by Worker isolates). */
  setUser(user: User): void;
  /** Asks GitLab who the token acts as; refuses to go on with a token GitLab rejects. */
  init(): Promise<void>;
  /**
   * Whether GitLab answered (anything but a 5xx) within the last minute, asking it if not; without a
   * token GitLab is not asked at all, and this says so instead.
   */
  gitlabReachable(): Promise<boolean | 'not checked: GITLAB_TOKEN is not set (dry-run)'>;
}

export function createEngine(deps: EngineDeps): Engine {
  const { config, log } = deps;
  const now = deps.now ?? Date.now;
  let lastGitLabAnswer = 0;
  const budget = {
    all: new RateBudget({ perMinute: config.requestsPerMinute }),
    notes: new RateBudget({ perMinute: config.notesPerMinute, burst: Math.min(10, config.notesPerMinute) }),
  };
  const gitlab = new GitLabClient({
    baseUrl: config.gitlabUrl,
    token: config.gitlabToken,
    tokenType: config.tokenType,
    secrets: secretValues(config),
    fetch: deps.fetch,
    timeoutMs: config.gitlabTimeoutMs,
    retries: config.gitlabRetries,
    budget,
    // Readiness: any answer from GitLab (not a 5xx, not a network error) shows it is reachable.
    onAttempt: ({ status }) => {
      if (status > 0 && status < 500) lastGitLabAnswer = now();
    },
    ...deps.gitlab,
  });
  const users = new UserDirectory({ now });
  const members = new MemberDirectory({ now });
  const limiter = new CommandRateLimiter({ limit: config.commandRateLimit, now });
  // Without a token nothing can be read either: facts GitLab would tell stay undecided (and are
  // reported so) instead of being asked of a GitLab that answers 401, retried for an hour.
  const offline = deps.offline ?? (config.gitlabToken ? undefined : 'GITLAB_TOKEN is not set (dry-run)');
  const services: ProcessDeps = { rules: deps.rules, gitlab, users, members, diffCache: new DiffCache(), reviewLoads: new ReviewLoadCache(), knownLabels: new KnownLabels(), log, dryRun: config.dryRun, now, offline };
  let botUser: User | undefined;

  const setUser = (user: User) => {
    botUser = user;
    users.remember(user.username, user);
  };

  return {
    gitlab,
    rules: deps.rules,
    async runEvent(run) {
      const eventLog = log.child({ event_id: run.id });
      // Accepted before the bot's user was known (GitLab unreachable at start): its own events are skipped here.
      if (botUser && run.event.user.id === botUser.id) {
        eventLog.info("event caused by rulebot's own user; skipped");
        return { outcome: { matched: [], calls: [], warnings: [], undecided: [], state: { event: run.event, facts: {} } }, commands: [], replies: [] };
      }
      const effects = {
        store: deps.store, jobId: run.id, retrying: run.retrying, firstAttemptAt: run.firstAttemptAt, scope: 'event', botUsername: botUser?.username,
        lostAnswerWindowMs: deps.lostAnswerWindowMs ?? 65_000, now,
      };
      const processDeps = { ...services, gitlab: gitlab.forEvent(run.eventUuid), log: eventLog, effects, diffs: run.diffs };
      const outcome = await processEvent(run.event, processDeps);
      const { reports: commands, replies } = await runCommands(run.event, { ...processDeps, botUsername: botUser?.username, store: deps.store, limiter });
      const calls = outcome.calls.length + commands.reduce((sum, report) => sum + report.calls.length, 0) + replies.length;
      eventLog.info('event processed', { matched: outcome.matched, commands: commands.length, calls, dry_run: config.dryRun });
      return { outcome, commands, replies };
    },
    runSchedule(rule, options = {}) {
      const at = options.startedAt;
      const scanServices = { ...services, dryRun: options.dryRun ?? config.dryRun, ...(at !== undefined && { now: () => at }) };
      return runScheduleRule(rule, scanServices, { ...options, botUser });
    },
    user: () => botUser,
    setUser,
    async init() {
      if (!config.gitlabToken) return;
      try {
        setUser(await getCurrentUser(gitlab));
      } catch (error) {
        if (error instanceof GitLabApiError && (error.status === 401 || error.status === 403)) {
          throw new ConfigError(
            `GitLab at ${config.gitlabUrl} refused GITLAB_TOKEN (${error.message}): check that the token is valid, ` +
              'not expired, and that GITLAB_TOKEN_TYPE matches it (private, oauth or job)',
          );
        }
        throw error;
      }
    },
    async gitlabReachable() {
      if (!config.gitlabToken) return 'not checked: GITLAB_TOKEN is not set (dry-run)';
      if (now() - lastGitLabAnswer < 60_000) return true;
      return getCurrentUser(gitlab.once()).then(() => true, () => false);
    },
  };
}

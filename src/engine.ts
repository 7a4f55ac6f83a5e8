// What every runtime runs: the GitLab client and its caches, one event's rules and commands, one schedule rule's scan.
import { DiffCache, followLabelChanges, KnownLabels, madeCalls, processEvent, refusalError, ReviewLoadCache, type ApiCall, type Decision, type EventOutcome, type ProcessDeps } from './pipeline/index.js';
import { secretValues, type Config } from './config/config.js';
import { ConfigError, GitLabApiError } from './errors.js';
import { CommandRateLimiter } from './chatops/rate-limit.js';
import { runCommands, type CommandReport } from './chatops/run-commands.js';
import { getCurrentUser, GitLabClient, MemberDirectory, RateBudget, UserDirectory, type Diff, type User } from './gitlab/index.js';
import type { Logger } from './log.js';
import type { CentralRules, Rule, RuleSet } from './rules/index.js';
import { runScheduleRule, type ScanOptions, type ScanReport } from './schedule/scan.js';
import { MemoryRuleConfigStore, type RuleConfigStore, type Store } from './store/index.js';
import type { RuleEvent } from './event/event.js';
import { eventLogFields } from './event/log-fields.js';
import { noMetrics, type Metrics } from './metrics/index.js';
import { CallLog, eventRecord, scheduleRecord } from './decisions/index.js';
import type { Upkeep } from './upkeep/index.js';
import { observeEvent, RuleConfigs } from './project-rules/index.js';

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
  /** The credential as it changes (rotation, OAuth refresh), started by `init()`; without it, GITLAB_TOKEN as given. */
  upkeep?: Upkeep;
  /** The central rule files; when they extend presets, those are read from GitLab and kept like a project's file (default: `rules`, complete). */
  central?: CentralRules;
  /** Where configurations read from GitLab are kept, with their last valid state (default: in memory). */
  ruleConfigs?: RuleConfigStore;
  /** Let an event wait for a configuration another event is reading (one process; never on Workers). */
  shareReads?: boolean;
  /** Where GitLab requests, rate budget waits, fired rules and schedule runs are counted (default: nowhere). */
  metrics?: Metrics;
}

/** What an attempt of an event collects for its decision record. */
interface EventAttempt {
  run: EventRun;
  receivedAt: number;
  calls: CallLog;
  /** The rules in force for the event (the central ones and its project's), once they were read. */
  rules?: RuleSet;
  /** What was decided, once it was (processEvent fills it in). */
  seen: { decision?: Decision };
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
  /** When the delivery was accepted (epoch ms), for its decision record (default: now). */
  receivedAt?: number;
  /**
   * Whether the runtime gives the event up if this failure, which may pass, ends the attempt: then a
   * command's failure is answered in its thread rather than retried (unset: always retried).
   */
  givesUp?: (error: GitLabApiError) => boolean;
}

export interface EventResult {
  outcome: EventOutcome;
  commands: CommandReport[];
  /** The reply to refused commands and the reactions on their note. */
  replies: ApiCall[];
  /** The steps of label rules fired by labels rulebot changed for this event, in order. */
  chained?: EventOutcome[];
}

export interface ScheduleRunOptions extends Pick<ScanOptions, 'onProgress' | 'from' | 'maxItems' | 'actedBefore'> {
  dryRun?: boolean;
  /** The instant the run judges ages against and lists up to (default: now). */
  startedAt?: number;
}

export interface Engine {
  gitlab: GitLabClient;
  /** The central rules known without GitLab (all of them, unless the rule files extend presets). */
  rules: RuleSet;
  /** Each project's own rules and the presets, read from GitLab and kept. */
  ruleConfigs: RuleConfigs;
  /** Schedule rules besides those of `rules`: from presets and projects' own files (read nothing from GitLab but expired presets). */
  dynamicScheduleRules(): Promise<Rule[]>;
  /** A schedule rule by its key, wherever it is defined; undefined when it is gone. */
  scheduleRule(key: string): Promise<Rule | undefined>;
  /** Runs the rules and commands of one event; throws what should make it retry or fail. */
  runEvent(run: EventRun): Promise<EventResult>;
  /** Runs one schedule rule (or, with `maxItems`, one step of it). */
  runSchedule(rule: Rule, options?: ScheduleRunOptions): Promise<ScanReport>;
  /** The token's user, once known (undefined without a token). */
  user(): User | undefined;
  /** GitLab requests (and note creations) that may go at once now, in this process or isolate. */
  budget(): { requests: number; notes: number };
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
  const metrics = deps.metrics ?? noMetrics;
  let lastGitLabAnswer = 0;
  const onWait = (ms: number) => metrics.rateBudgetWait(ms / 1000);
  const budget = {
    all: new RateBudget({ perMinute: config.requestsPerMinute, onWait }),
    notes: new RateBudget({ perMinute: config.notesPerMinute, burst: Math.min(10, config.notesPerMinute), onWait }),
  };
  const gitlab = new GitLabClient({
    baseUrl: config.gitlabUrl,
    token: config.gitlabToken,
    tokenType: config.tokenType,
    secrets: secretValues(config),
    credentials: deps.upkeep?.credentials,
    fetch: deps.fetch,
    timeoutMs: config.gitlabTimeoutMs,
    retries: config.gitlabRetries,
    budget,
    // Readiness: any answer from GitLab (not a 5xx, not a network error) shows it is reachable.
    onAttempt: ({ method, status, durationMs }) => {
      if (status > 0 && status < 500) lastGitLabAnswer = now();
      metrics.gitlabRequest(method, status, durationMs / 1000);
    },
    ...deps.gitlab,
  });
  const users = new UserDirectory({ now });
  const members = new MemberDirectory({ now });
  const limiter = new CommandRateLimiter({ limit: config.commandRateLimit, now });
  // Without a token nothing can be read either: facts GitLab would tell stay undecided (and are
  // reported so) instead of being asked of a GitLab that answers 401, retried for an hour.
  const offline = deps.offline ?? (config.gitlabCredential ? undefined : 'GITLAB_TOKEN is not set (dry-run)');
  const services: ProcessDeps = { rules: deps.rules, gitlab, users, members, diffCache: new DiffCache(), reviewLoads: new ReviewLoadCache(), knownLabels: new KnownLabels(), log, dryRun: config.dryRun, now, offline };
  const ruleConfigs = new RuleConfigs({
    central: deps.central ?? { sources: [], ruleSet: deps.rules, presets: false },
    file: config.projectConfigFile,
    ttlMs: config.projectConfigTtlMs,
    store: deps.ruleConfigs ?? new MemoryRuleConfigStore(),
    log,
    now,
    offline,
    shareReads: deps.shareReads ?? false,
  });
  let botUser: User | undefined;
  const recordDecision = (recordLog: Logger, record: Parameters<Store['recordDecision']>[0]) => recordDecisionIn(deps.store, recordLog, record);

  /** Records how an attempt of an event ended. */
  function recordAttempt(attempt: EventAttempt, recordLog: Logger, outcome: 'done' | 'ignored' | 'retrying', reason: string | null, result?: EventResult) {
    const { run } = attempt;
    const ruleSet = attempt.rules ?? deps.rules;
    const chained = result?.chained ?? [];
    // Rules fired by labels rulebot changed (followLabelChanges) fired for this event too, listening to
    // the update rulebot made rather than to the event itself.
    const chainFired = new Set(chained.flatMap((step) => step.matched));
    const listened = ruleSet.candidates(run.event).filter((rule) => rule.inProject(run.event.project.path_with_namespace));
    const rules = chainFired.size === 0 ? listened : [...listened, ...ruleSet.rules.filter((rule) => chainFired.has(rule.name) && !listened.includes(rule))];
    const decision = attempt.seen.decision;
    const record = eventRecord({
      id: run.id, event: run.event, eventUuid: run.eventUuid, receivedAt: attempt.receivedAt, finishedAt: now(), outcome, reason, dryRun: config.dryRun,
      rules,
      decision: decision && chainFired.size > 0 ? { ...decision, matched: [...decision.matched, ...rules.filter((rule) => chainFired.has(rule.name))] } : decision,
      commands: result?.commands ?? [], calls: attempt.calls,
      planned: result ? [...result.outcome.calls, ...chained.flatMap((step) => step.calls), ...result.commands.flatMap((report) => report.calls), ...result.replies] : [],
      warnings: result ? [...result.outcome.warnings, ...chained.flatMap((step) => step.warnings)] : [],
    });
    // Only a retried or resumed event may have a record already.
    return recordDecisionIn(deps.store, recordLog, record, { firstAttempt: !run.retrying });
  }

  const setUser = (user: User) => {
    botUser = user;
    users.remember(user.username, user);
  };

  return {
    gitlab,
    rules: deps.rules,
    ruleConfigs,
    dynamicScheduleRules: () => ruleConfigs.dynamicScheduleRules(gitlab),
    async scheduleRule(key) {
      return deps.rules.rules.find((rule) => rule.key === key && rule.schedule) ?? ruleConfigs.scheduleRule(key, gitlab);
    },
    async runEvent(run) {
      // Every line about the event names it, its project and its merge request or issue (`!42`).
      const eventLog = log.child(eventLogFields(run.id, run.event));
      const attempt: EventAttempt = { run, receivedAt: run.receivedAt ?? now(), calls: new CallLog(), seen: {} };
      if (run.event.access_token) {
        // Not for rules: GitLab says an access token expires soon, maybe rulebot's own.
        await deps.upkeep?.tokenExpiring(run.event.access_token);
        await recordAttempt(attempt, eventLog, 'ignored', 'an access token expiring: checked against rulebot\'s own token, not for rules');
        return { outcome: { matched: [], calls: [], warnings: [], undecided: [], state: { event: run.event, facts: {} } }, commands: [], replies: [] };
      }
      // Accepted before the bot's user was known (GitLab unreachable at start): its own events are skipped here.
      if (botUser && run.event.user.id === botUser.id) {
        eventLog.info("event caused by rulebot's own user; skipped");
        await recordAttempt(attempt, eventLog, 'ignored', "event caused by rulebot's own user");
        return { outcome: { matched: [], calls: [], warnings: [], unknownUsers: [], undecided: [], state: { event: run.event, facts: {} } }, commands: [], replies: [] };
      }
      const effects = {
        store: deps.store, jobId: run.id, retrying: run.retrying, firstAttemptAt: run.firstAttemptAt, scope: 'event', botUsername: botUser?.username,
        lostAnswerWindowMs: deps.lostAnswerWindowMs ?? 65_000, now,
      };
      const eventGitLab = gitlab.forEvent(run.eventUuid, (call) => attempt.calls.add(call));
      let result: EventResult;
      try {
        // A push may change kept rules, a merge request the project's file: seen to first, so this
        // event's rules are the ones in force after it.
        if (!offline) {
          const facts = { ...services, gitlab: eventGitLab, diffs: run.diffs };
          await observeEvent(run.event, { configs: ruleConfigs, gitlab: eventGitLab, log: eventLog, dryRun: config.dryRun, effects, facts });
        }
        // Rules cannot act on a push (they are refused unless they listen to other events too): no need to read any.
        const rules = run.event.kind === 'push' ? deps.rules : await ruleConfigs.rulesFor(run.event, eventGitLab);
        attempt.rules = rules;
        const processDeps = { ...services, rules, gitlab: eventGitLab, log: eventLog, effects, diffs: run.diffs };
        // An action GitLab refuses for good does not hold back the other rules' actions, nor the
        // commands and the rules its labels fire: they are made, then the event fails naming it.
        const outcome = await processEvent(run.event, processDeps, { seen: attempt.seen, keepGoing: true });
        const { reports: commands, replies } = await runCommands(run.event, {
          ...processDeps, botUsername: botUser?.username, store: deps.store, limiter, givesUp: run.givesUp, whyAccess: config.whyAccess,
        });
        // Labels rulebot changed fire the label rules meant for them, here: GitLab's webhooks for them are the bot's own, ignored.
        const ran = commands.filter((report) => report.status === 'ran');
        const made = [...madeCalls(outcome), ...ran.flatMap((report) => report.calls)];
        const chained = await followLabelChanges(run.event, made, outcome.matched, processDeps, { keepGoing: true });
        result = { outcome, commands, replies, chained };
      } catch (error) {
        // The queue decides next whether this is retried or a dead letter; the store updates the outcome then.
        await recordAttempt(attempt, eventLog, 'retrying', error instanceof Error ? error.message : String(error));
        throw error;
      }
      const { outcome, commands } = result;
      const chained = result.chained ?? [];
      const refused = [outcome, ...chained].flatMap((step) => step.notMade?.refused ?? []);
      if (refused.length > 0) {
        // Not retryable: a dead letter naming what GitLab refused; put back, only what was not made is made.
        const othersMade = [outcome, ...chained].some((step) => madeCalls(step).length > 0) || commands.some((report) => report.status === 'ran');
        const error = refusalError(refused, othersMade);
        await recordAttempt(attempt, eventLog, 'retrying', error.message, result);
        throw error;
      }
      // Every GitLab request the event made (reads, rule files, writes, replies): the count its record has.
      const calls = attempt.calls.count;
      eventLog.info('event processed', { matched: outcome.matched, commands: commands.length, chained: chained.map((step) => step.matched), calls, dry_run: config.dryRun });
      await recordAttempt(attempt, eventLog, 'done', null, result);
      for (const step of [outcome, ...chained]) for (const name of step.matched) metrics.ruleFired(name);
      // Command rules that ran fired too (`@bot label ~bug` fires "label command").
      for (const report of commands) for (const name of report.fired ?? []) metrics.ruleFired(name);
      return result;
    },
    async runSchedule(rule, options = {}) {
      const startedAt = options.startedAt ?? now();
      const dryRun = options.dryRun ?? config.dryRun;
      const calls = new CallLog();
      const at = options.startedAt;
      const scanServices = { ...services, gitlab: gitlab.observe((call) => calls.add(call)), dryRun, ...(at !== undefined && { now: () => at }) };
      // Each step of a stepwise run (Workers) is recorded under the run's id; the store adds them up.
      const stepwise = options.maxItems !== undefined;
      const scheduleLog = log.child({ schedule: rule.name });
      let report: ScanReport;
      try {
        report = await runScheduleRule(rule, scanServices, { ...options, botUser });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await recordDecision(scheduleLog, scheduleRecord({ rule: rule.name, startedAt, finishedAt: now(), outcome: 'failed', reason: message, report: undefined, dryRun, calls }));
        if (!stepwise) metrics.scheduleRun(rule.name, 'failed');
        throw error;
      }
      const limit = rule.schedule?.limit ?? Number.POSITIVE_INFINITY;
      const finished = !report.next || (options.actedBefore ?? 0) + report.acted >= limit;
      // A listing GitLab refused (an unknown project or group, no access) leaves a problem naming no item.
      const failed = report.errors.find((error) => error.item === undefined);
      const outcome = !finished ? 'running' : failed ? 'failed' : 'done';
      await recordDecision(scheduleLog, scheduleRecord({ rule: rule.name, startedAt, finishedAt: now(), outcome, reason: failed?.message ?? null, report, dryRun, calls }));
      if (finished) metrics.scheduleRun(rule.name, failed ? 'failed' : 'done');
      return report;
    },
    user: () => botUser,
    budget: () => ({ requests: budget.all.available(), notes: budget.notes.available() }),
    setUser,
    async init() {
      if (!config.gitlabCredential) return;
      await deps.upkeep?.start();
      // A CI job token may not ask who it is (GET /user): read-only commands run without knowing.
      if (config.tokenType === 'job') return;
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
      if (!config.gitlabCredential) return 'not checked: GITLAB_TOKEN is not set (dry-run)';
      if (now() - lastGitLabAnswer < 60_000) return true;
      return getCurrentUser(gitlab.once()).then(() => true, () => false);
    },
  };
}

/**
 * A decision record is what people read to understand the bot; it never changes what the bot does:
 * a store that cannot record it is logged, and the event goes on.
 */
async function recordDecisionIn(store: Store, log: Logger, record: Parameters<Store['recordDecision']>[0], options?: { firstAttempt?: boolean }): Promise<void> {
  try {
    await store.recordDecision(record, options);
  } catch (error) {
    log.warn('decision record not stored', { error });
  }
}

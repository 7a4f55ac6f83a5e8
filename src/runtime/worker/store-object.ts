// The Worker's Store: one SQLite-backed Durable Object, so deliveries, note claims and effects are once-only across isolates.
import { DurableObject } from 'cloudflare:workers';
import type { ListPosition } from '../../schedule/list-items.js';
import { StoreTables, type AttemptStart, type SqlDriver } from '../../store/sql-tables.js';
import type { AttemptsMade, DeadLetter, QueueStats, Store, StoredJob } from '../../store/store.js';
import type { NewRuleConfig, PushedChange, RuleConfigRecord, RuleConfigStore } from '../../store/rule-config-store.js';
import { RuleConfigTables } from '../../store/rule-config-tables.js';
import { DEFAULT_DECISION_LIMITS, type DecisionInput, type DecisionLimits, type DecisionPage, type DecisionQuery, type DecisionRecord } from '../../store/decision-record.js';
import { DecisionTables } from '../../store/decision-tables.js';
import { CounterTables } from '../../store/counter-tables.js';
import { parseConfig } from '../../config/config.js';
import { METRICS, seriesKey } from '../../metrics/index.js';
import type { ScanTotals } from './messages.js';

/** A run of a schedule rule, step by step: the store object is where its steps meet. */
interface ScanState {
  started_at: number;
  /** The last step completed (0: none yet). */
  step: number;
  totals: ScanTotals;
  /** Where the next step's listing starts. */
  from?: ListPosition;
  /** A delivery of the next step runs until then (0: none). */
  running_until: number;
  /** Last time the run moved (started, claimed, completed a step, or was handed out again). */
  updated: number;
  /** Times the next step was claimed (reset when a step completes). */
  claims?: number;
}

export type ScanClaim =
  | { state: 'run'; totals: ScanTotals; from?: ListPosition }
  | { state: 'busy'; retryInMs: number }
  | { state: 'done'; resend: number | undefined }
  | { state: 'stuck'; claims: number }
  | { state: 'gone' };

/** Claims of one step that never completed before its run is ended. */
const MAX_STEP_CLAIMS = 5;

const NO_TOTALS: ScanTotals = { scanned: 0, matched: 0, acted: 0, api_calls: 0, errors: 0 };

const RETENTION_MS = 7 * 24 * 3_600_000;
/** A run that has not moved for this long is given up (a step dropped for good); a new run may start. */
const SCAN_ABANDONED_AFTER_MS = 6 * 3_600_000;

/**
 * A Durable Object runs one request at a time with its SQLite storage beside it. Every method here
 * is synchronous over the tables and runs in `transactionSync`, so each is atomic: all its writes or,
 * if it throws partway, none (without it, workerd keeps the writes made before the error). That is
 * what a delivery key or a note claim needs, and KV, which is eventually consistent, cannot give.
 * One instance holds the whole store; see docs/architecture.md for what that costs.
 */
export class RulebotStore extends DurableObject<Record<string, unknown>> {
  private readonly tables: StoreTables;
  private readonly configs: RuleConfigTables;
  private readonly records: DecisionTables;
  private readonly counters: CounterTables;
  /** Whether this instance made sure an alarm will prune old decision records. */
  private pruneArmed = false;

  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    super(ctx, env);
    const driver = durableObjectDriver(ctx.storage.sql);
    // Created or brought up to date atomically, before the object serves any call.
    this.tables = ctx.storage.transactionSync(() => new StoreTables(driver, RETENTION_MS, Date.now));
    this.configs = new RuleConfigTables(driver);
    // Created, or brought up from an older layout, atomically too.
    this.records = ctx.storage.transactionSync(() => new DecisionTables(driver, decisionLimits(env), Date.now));
    this.counters = new CounterTables(driver);
  }

  // Attempts (the leases of `beginAttempt`) exist on Workers only: the job methods below keep them in
  // step with the jobs, so that Node's store does no such work on every webhook.

  acceptDelivery(key: string | undefined, job: StoredJob): boolean {
    return this.atomic(() => {
      this.tables.prune();
      const accepted = this.tables.acceptDelivery(key, job);
      if (accepted) this.tables.forgetAttempts(job.id);
      return accepted;
    });
  }
  unfinishedJobIds(): string[] {
    return this.atomic(() => this.tables.unfinishedJobIds());
  }
  job(id: string): StoredJob | undefined {
    return this.atomic(() => this.tables.job(id));
  }
  finishJob(id: string): void {
    this.atomic(() => {
      this.tables.finishJob(id);
      this.tables.forgetAttempts(id);
    });
  }
  retryJobLater(id: string, nextAttemptAt: number, error: string, firstAttemptAt: number): void {
    this.atomic(() => {
      this.tables.retryJobLater(id, nextAttemptAt, error, firstAttemptAt);
      this.tables.releaseAttempt(id);
      this.records.settle(id, 'retrying', error);
    });
  }
  /** The attempts' row stays: put back, the job is a retry and checks its calls first. */
  deadLetter(id: string, reason: string, made: AttemptsMade): void {
    this.atomic(() => {
      const projectId = this.records.has(id) ? undefined : this.tables.job(id)?.project_id;
      this.tables.deadLetter(id, reason, made);
      this.tables.releaseAttempt(id);
      this.records.settle(id, 'dead_letter', reason, projectId);
    });
  }
  /** Without payloads: a call's answer is limited to 32 MiB, and dead letters add up. */
  deadLetters(): DeadLetter[] {
    return this.atomic(() => this.tables.deadLetters(false));
  }
  /** The reason to record for a job the dead-letter queue gave up on: its last error, read without its payload. */
  lastError(id: string): string | undefined {
    return this.atomic(() => this.tables.lastError(id));
  }
  /** The job put back, without its payload (the consumer reads it from here when it runs). */
  reviveDeadLetter(id: string): StoredJob | undefined {
    return this.atomic(() => {
      const job = this.tables.reviveDeadLetter(id);
      if (!job) return undefined;
      this.tables.countAsRetried(id);
      this.records.settle(id, 'retrying', 'put back from the dead letters');
      return { ...job, payload: '' };
    });
  }
  /**
   * Records a dead letter from the dead-letter queue, with the attempts begun (the row holds when the
   * first one did); false when the job is gone (it finished) or a consumer runs it right now (that
   * one decides).
   */
  deadLetterUnlessRunning(id: string, reason: string, now: number): boolean {
    return this.atomic(() => {
      if (!this.tables.hasJob(id) || this.tables.attemptRunning(id, now)) return false;
      this.tables.deadLetter(id, reason, { attempts: this.tables.attemptsBegun(id), first_attempt_at: undefined });
      this.tables.releaseAttempt(id);
      // Not through a Store: counted here, where the Worker's counters live.
      this.records.settle(id, 'dead_letter', reason);
      this.counters.add([[seriesKey(METRICS.events.name, [['outcome', 'dead_letter']]), 1]]);
      return true;
    });
  }
  queueStats(): QueueStats & { scans_running: string[] } {
    return { ...this.tables.queueStats(), scans_running: this.runningScans() };
  }
  claim(key: string, owner: string): 'new' | 'own' | 'taken' {
    return this.atomic(() => this.tables.claim(key, owner));
  }
  effectTime(jobId: string, effect: string): number | undefined {
    return this.atomic(() => this.tables.effectTime(jobId, effect));
  }
  recordEffect(jobId: string, effect: string): void {
    this.atomic(() => this.tables.recordEffect(jobId, effect));
  }
  lastScheduleRun(rule: string): number | undefined {
    return this.atomic(() => this.tables.lastScheduleRun(rule));
  }
  recordScheduleRun(rule: string, at: number): void {
    this.atomic(() => this.tables.recordScheduleRun(rule, at));
  }

  async recordDecision(record: DecisionInput, options: { firstAttempt?: boolean } = {}): Promise<void> {
    this.atomic(() => this.records.record(record, options));
    await this.armPrune();
  }
  decisions(query: DecisionQuery): DecisionPage {
    return this.atomic(() => this.records.decisions(query));
  }
  decision(id: string): DecisionRecord | undefined {
    return this.atomic(() => this.records.decision(id));
  }

  /** Adds what an invocation counted (`name{labels}` → amount) to the counters `/metrics` shows. */
  addCounters(samples: { series: string; value: number }[]): void {
    this.atomic(() => this.counters.add(samples.map(({ series, value }) => [series, value] as const)));
  }
  counterSeries(): { series: string; value: number }[] {
    return this.atomic(() => this.counters.all().map(([series, value]) => ({ series, value })));
  }

  /** Prunes old decision records in the background: a chunk per alarm, again soon while more is left, else hourly. */
  override async alarm(): Promise<void> {
    const more = this.atomic(() => this.records.prune());
    const count = this.atomic(() => this.records.count());
    if (more || count > 0) await this.ctx.storage.setAlarm(Date.now() + (more ? 1_000 : 3_600_000));
  }

  /** Makes sure an alarm will prune: set once a minute after the first record, kept by `alarm()` after that. */
  private async armPrune(): Promise<void> {
    if (this.pruneArmed) return;
    this.pruneArmed = true;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + 60_000);
  }

  value(key: string): string | undefined {
    return this.atomic(() => this.tables.value(key));
  }
  /** One request at a time, in one transaction: the compare-and-set isolates rotate and refresh tokens through. */
  swapValue(key: string, expected: string | undefined, next: string | undefined): boolean {
    return this.atomic(() => this.tables.swapValue(key, expected, next));
  }

  /** Starts an attempt of a job unless another consumer runs it (see StoreTables.beginAttempt). */
  beginAttempt(id: string, now: number, leaseMs: number): AttemptStart {
    return this.atomic(() => this.tables.beginAttempt(id, now, leaseMs));
  }

  releaseAttempt(id: string): void {
    this.atomic(() => this.tables.releaseAttempt(id));
  }
  abandonAttempt(id: string): void {
    this.atomic(() => this.tables.abandonAttempt(id));
  }

  /** Jobs overdue since `before` that nobody runs: their queue message was lost (see StoreTables.claimOverdue). */
  claimOverdue(before: number, now: number, max: number): string[] {
    return this.atomic(() => this.tables.claimOverdue(before, now, max));
  }

  /**
   * Starts a run of a schedule rule unless one is going on (a large scan spans many queue messages):
   * records the run and the scan's state, atomically. Resolves the rule's previous run (to put back
   * with `cancelScan` if the run cannot be queued), or false when a run is under way.
   */
  startScan(rule: string, at: number, now: number): { previous: number | undefined } | false {
    return this.atomic(() => {
      const running = this.scan(rule);
      if (running && now - running.updated < SCAN_ABANDONED_AFTER_MS) return false;
      const previous = this.tables.lastScheduleRun(rule);
      this.tables.recordScheduleRun(rule, at);
      this.setScan(rule, { started_at: at, step: 0, totals: NO_TOTALS, running_until: 0, updated: now });
      return { previous };
    });
  }

  /**
   * Undoes `startScan` when its first step could not be queued: the rule's last run goes back to
   * `lastRun` (its previous run, or the time the trigger counted from), so the next trigger starts it.
   */
  cancelScan(rule: string, startedAt: number, lastRun: number): void {
    return this.atomic(() => {
      if (this.scan(rule)?.started_at !== startedAt) return;
      this.tables.deleteMeta(`scan:${rule}`);
      this.tables.recordScheduleRun(rule, lastRun);
    });
  }

  /**
   * Claims step `step` of the run started at `startedAt`, once: it runs only after step − 1 completed
   * and while no other delivery of it runs (a lease). `done` for a step already completed, with the
   * step to send again when this one's successor may not have been queued (its send failed).
   */
  claimScanStep(rule: string, startedAt: number, step: number, now: number, leaseMs: number): ScanClaim {
    return this.atomic(() => {
      const state = this.scan(rule);
      if (!state || state.started_at !== startedAt || state.step < step - 1) return { state: 'gone' };
      if (state.step >= step) return { state: 'done', resend: state.step === step && state.running_until <= now ? step + 1 : undefined };
      if (state.running_until > now) return { state: 'busy', retryInMs: state.running_until - now };
      // A step claimed this often without completing keeps being stopped (a CPU limit): the run ends.
      if ((state.claims ?? 0) >= MAX_STEP_CLAIMS) {
        this.tables.deleteMeta(`scan:${rule}`);
        return { state: 'stuck', claims: state.claims ?? 0 };
      }
      this.setScan(rule, { ...state, running_until: now + leaseMs, updated: now, claims: (state.claims ?? 0) + 1 });
      return { state: 'run', totals: state.totals, ...(state.from && { from: state.from }) };
    });
  }

  /**
   * Completes step `step` with the run's totals so far and where the next step starts (none: the run
   * is over). False when another delivery of the step completed it first: then this one's outcome is
   * dropped, and no second chain of steps starts.
   */
  completeScanStep(rule: string, startedAt: number, step: number, totals: ScanTotals, next: ListPosition | null, now: number): boolean {
    return this.atomic(() => {
      const state = this.scan(rule);
      if (!state || state.started_at !== startedAt || state.step !== step - 1) return false;
      if (next) this.setScan(rule, { started_at: startedAt, step, totals, from: next, running_until: 0, updated: now });
      else this.tables.deleteMeta(`scan:${rule}`);
      return true;
    });
  }

  /** A step that failed before completing: another delivery of it may run at once. */
  releaseScanStep(rule: string, startedAt: number, step: number): void {
    return this.atomic(() => {
      const state = this.scan(rule);
      // A step that failed and said so is not one stopped by a limit: its claim does not count.
      if (state?.started_at === startedAt && state.step === step - 1) this.setScan(rule, { ...state, running_until: 0, claims: Math.max(0, (state.claims ?? 1) - 1) });
    });
  }

  /**
   * Ends a run (its rule is gone, or step `step` failed on every delivery); a newer run, or one that
   * has gone past that step meanwhile, is left alone.
   */
  finishScan(rule: string, startedAt: number, step?: number): void {
    return this.atomic(() => {
      const state = this.scan(rule);
      if (state?.started_at === startedAt && (step === undefined || state.step === step - 1)) this.tables.deleteMeta(`scan:${rule}`);
    });
  }

  /**
   * Runs whose next step nobody has claimed for `idleMs`: its message was lost. Each is marked as
   * seen now, so it is handed out once per `idleMs`.
   */
  idleScans(now: number, idleMs: number): { rule: string; started_at: number; step: number }[] {
    return this.atomic(() => {
      const idle = [];
      for (const rule of this.runningScans()) {
        const state = this.scan(rule)!;
        if (state.running_until > now || now - state.updated < idleMs) continue;
        this.setScan(rule, { ...state, updated: now });
        idle.push({ rule, started_at: state.started_at, step: state.step + 1 });
      }
      return idle;
    });
  }

  /** When the cron trigger last fired, and records this one. */
  swapTriggerTime(at: number): number | undefined {
    return this.atomic(() => {
      const last = this.tables.meta('last_trigger');
      this.tables.setMeta('last_trigger', String(at));
      return last === undefined ? undefined : Number(last);
    });
  }

  // Rule configurations read from GitLab, shared by every isolate: one reads a project's file, the others use it.

  ruleConfig(id: number, texts: boolean): RuleConfigRecord | undefined {
    return this.atomic(() => this.configs.ruleConfig(id, texts));
  }
  /** Compare-and-set on the version: a save that read an older state (a push marked files stale meanwhile) is refused. */
  saveRuleConfig(config: NewRuleConfig, expectedVersion: number | undefined): number | undefined {
    return this.atomic(() => this.configs.saveRuleConfig(config, expectedVersion));
  }
  invalidateRuleConfigs(change: PushedChange): number[] {
    return this.atomic(() => this.configs.invalidateRuleConfigs(change));
  }
  ruleConfigsWithSchedules(): RuleConfigRecord[] {
    return this.atomic(() => this.configs.ruleConfigsWithSchedules());
  }
  ruleConfigProblems(): { configs: number; invalid: RuleConfigRecord[] } {
    return this.atomic(() => this.configs.ruleConfigProblems());
  }
  configNote(projectId: number, iid: number): number | undefined {
    return this.atomic(() => this.configs.configNote(projectId, iid));
  }
  setConfigNote(projectId: number, iid: number, noteId: number): void {
    this.atomic(() => this.configs.setConfigNote(projectId, iid, noteId));
  }

  private atomic<T>(work: () => T): T {
    return this.ctx.storage.transactionSync(work);
  }

  private scan(rule: string): ScanState | undefined {
    const text = this.tables.meta(`scan:${rule}`);
    return text === undefined ? undefined : (JSON.parse(text) as ScanState);
  }

  private setScan(rule: string, state: ScanState): void {
    this.tables.setMeta(`scan:${rule}`, JSON.stringify(state));
  }

  private runningScans(): string[] {
    return this.tables.metaKeys('scan:').map((key) => key.slice('scan:'.length));
  }
}

function durableObjectDriver(sql: SqlStorage): SqlDriver {
  return {
    exec: (text) => {
      // `exec` runs one statement per call when given bindings; the schema has none, so it may hold several.
      sql.exec(text);
    },
    all: <Row>(text: string, ...params: (string | number | null)[]) => sql.exec(text, ...params).toArray() as Row[],
    run: (text, ...params) => void sql.exec(text, ...params),
  };
}

/**
 * The Store interface over the Durable Object. A stub belongs to the request (or queue batch, or
 * trigger) that made it, while this Store serves the whole isolate: each call takes a stub of its own.
 */
export function storeFromObject(object: () => DurableObjectStub<RulebotStore>): Store {
  return {
    acceptDelivery: (key, job) => object().acceptDelivery(key, job),
    unfinishedJobIds: () => object().unfinishedJobIds(),
    job: (id) => object().job(id),
    finishJob: (id) => object().finishJob(id),
    retryJobLater: (id, at, error, firstAttemptAt) => object().retryJobLater(id, at, error, firstAttemptAt),
    deadLetter: (id, reason, made) => object().deadLetter(id, reason, made),
    deadLetters: () => object().deadLetters(),
    reviveDeadLetter: (id) => object().reviveDeadLetter(id),
    queueStats: () => object().queueStats(),
    claim: (key, owner) => object().claim(key, owner),
    effectTime: (jobId, effect) => object().effectTime(jobId, effect),
    recordEffect: (jobId, effect) => object().recordEffect(jobId, effect),
    lastScheduleRun: (rule) => object().lastScheduleRun(rule),
    recordScheduleRun: (rule, at) => object().recordScheduleRun(rule, at),
    recordDecision: (record, options) => object().recordDecision(record, options),
    decisions: (query) => object().decisions(query),
    decision: (id) => object().decision(id),
    value: (key) => object().value(key),
    swapValue: (key, expected, next) => object().swapValue(key, expected, next),
    close: async () => {},
  };
}

/** DECISIONS_RETENTION_DAYS and DECISIONS_MAX from the Worker's vars; the defaults if the configuration cannot be read (the Worker says why on every request). */
function decisionLimits(env: Record<string, unknown>): DecisionLimits {
  const vars = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  try {
    return parseConfig(vars, { requireSecret: false }).decisions;
  } catch {
    return DEFAULT_DECISION_LIMITS;
  }
}

/** The kept rule configurations in the store object; each call takes a stub of its own, as storeFromObject's do. */
export function ruleConfigStoreFromObject(object: () => DurableObjectStub<RulebotStore>): RuleConfigStore {
  return {
    ruleConfig: (id, options) => object().ruleConfig(id, options.texts),
    saveRuleConfig: (config, expected) => object().saveRuleConfig(config, expected),
    invalidateRuleConfigs: (change) => object().invalidateRuleConfigs(change),
    ruleConfigsWithSchedules: () => object().ruleConfigsWithSchedules(),
    ruleConfigProblems: () => object().ruleConfigProblems(),
    configNote: (projectId, iid) => object().configNote(projectId, iid),
    setConfigNote: (projectId, iid, noteId) => object().setConfigNote(projectId, iid, noteId),
  };
}

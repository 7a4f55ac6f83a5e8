// The Worker's Store: one SQLite-backed Durable Object, so deliveries, note claims and effects are once-only across isolates.
import { DurableObject } from 'cloudflare:workers';
import { StoreTables, type SqlDriver } from '../../store/sql-tables.js';
import type { DeadLetter, QueueStats, Store, StoredJob } from '../../store/store.js';

const RETENTION_MS = 7 * 24 * 3_600_000;
/** A scan whose last step is older than this lost its continuation (a step dropped for good); a new run may start. */
const SCAN_ABANDONED_AFTER_MS = 6 * 3_600_000;

/**
 * A Durable Object runs one request at a time with its SQLite storage beside it, and commits the
 * writes a method makes without awaiting as one transaction: every method here is synchronous over
 * the tables, so each is atomic. That is what a delivery key or a note claim needs, and KV, which
 * is eventually consistent, cannot give. One instance holds the whole store; see
 * docs/architecture.md for what that costs.
 */
export class RulebotStore extends DurableObject<Record<string, unknown>> {
  private readonly tables: StoreTables;

  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    super(ctx, env);
    this.tables = new StoreTables(durableObjectDriver(ctx.storage.sql), RETENTION_MS, Date.now);
  }

  acceptDelivery(key: string | undefined, job: StoredJob): boolean {
    this.tables.prune();
    return this.tables.acceptDelivery(key, job);
  }
  unfinishedJobIds(): string[] {
    return this.tables.unfinishedJobIds();
  }
  job(id: string): StoredJob | undefined {
    return this.tables.job(id);
  }
  finishJob(id: string): void {
    this.tables.finishJob(id);
  }
  retryJobLater(id: string, nextAttemptAt: number, error: string): void {
    this.tables.retryJobLater(id, nextAttemptAt, error);
  }
  deadLetter(id: string, reason: string): void {
    this.tables.deadLetter(id, reason);
  }
  deadLetters(): DeadLetter[] {
    return this.tables.deadLetters();
  }
  reviveDeadLetter(id: string): StoredJob | undefined {
    return this.tables.reviveDeadLetter(id);
  }
  queueStats(): QueueStats & { scans_running: string[] } {
    return { ...this.tables.queueStats(), scans_running: this.runningScans() };
  }
  claim(key: string, owner: string): 'new' | 'own' | 'taken' {
    return this.tables.claim(key, owner);
  }
  effectTime(jobId: string, effect: string): number | undefined {
    return this.tables.effectTime(jobId, effect);
  }
  recordEffect(jobId: string, effect: string): void {
    this.tables.recordEffect(jobId, effect);
  }
  lastScheduleRun(rule: string): number | undefined {
    return this.tables.lastScheduleRun(rule);
  }
  recordScheduleRun(rule: string, at: number): void {
    this.tables.recordScheduleRun(rule, at);
  }

  /** Jobs whose next attempt was due before `before`: their queue message was lost (a send that failed). */
  overdueJobIds(before: number): string[] {
    return this.tables.overdueJobIds(before);
  }

  /**
   * Starts a run of a schedule rule unless one is going on (a large scan spans many queue messages):
   * records the run and marks the rule busy, atomically. False when a run is under way.
   */
  startScan(rule: string, at: number, now: number): boolean {
    const running = this.tables.meta(`scan:${rule}`);
    if (running !== undefined && now - Number(running) < SCAN_ABANDONED_AFTER_MS) return false;
    this.tables.recordScheduleRun(rule, at);
    this.tables.setMeta(`scan:${rule}`, String(now));
    return true;
  }

  /** A step of a scan finished and the next one is queued: the run is alive. */
  continueScan(rule: string, now: number): void {
    this.tables.setMeta(`scan:${rule}`, String(now));
  }

  finishScan(rule: string): void {
    this.tables.deleteMeta(`scan:${rule}`);
  }

  /** When the cron trigger last fired, and records this one. */
  swapTriggerTime(at: number): number | undefined {
    const last = this.tables.meta('last_trigger');
    this.tables.setMeta('last_trigger', String(at));
    return last === undefined ? undefined : Number(last);
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
    retryJobLater: (id, at, error) => object().retryJobLater(id, at, error),
    deadLetter: (id, reason) => object().deadLetter(id, reason),
    deadLetters: () => object().deadLetters(),
    reviveDeadLetter: (id) => object().reviveDeadLetter(id),
    queueStats: () => object().queueStats(),
    claim: (key, owner) => object().claim(key, owner),
    effectTime: (jobId, effect) => object().effectTime(jobId, effect),
    recordEffect: (jobId, effect) => object().recordEffect(jobId, effect),
    lastScheduleRun: (rule) => object().lastScheduleRun(rule),
    recordScheduleRun: (rule, at) => object().recordScheduleRun(rule, at),
    close: async () => {},
  };
}

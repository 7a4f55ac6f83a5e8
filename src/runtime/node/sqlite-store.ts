// The Node Store: one SQLite file in DATA_DIR (better-sqlite3), so accepted events survive a crash or restart.
import Database from 'better-sqlite3';
import { closeSync, fdatasync, fdatasyncSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { StoreTables } from '../../store/sql-tables.js';
import type { DecisionInput, DecisionLimits, DecisionPage, DecisionQuery, DecisionRecord } from '../../store/decision-record.js';
import { SqliteDecisions } from './sqlite-decisions.js';
import { betterSqliteDriver } from './sqlite-driver.js';
import type { AttemptsMade, DeadLetter, QueueStats, Store, StoredJob } from '../../store/store.js';
import type { NewRuleConfig, PushedChange, RuleConfigRecord, RuleConfigStore } from '../../store/rule-config-store.js';
import { RuleConfigTables } from '../../store/rule-config-tables.js';

export interface SqliteStoreOptions {
  /** How long delivery keys and effects are remembered, in ms (default 7 days). */
  retentionMs?: number;
  now?: () => number;
  /** How long decision records are kept, and how many at most (default 7 days, 50,000). */
  decisions?: DecisionLimits;
  /** Told when a decision record could not be written (the event it describes is not affected). */
  onRecordError?: (error: unknown) => void;
  /** How long a successful write probe is trusted, in ms (default 5 000). */
  probeIntervalMs?: number;
  /** Flushes the WAL file to disk (default `fs.fdatasync`, on libuv's thread pool); tests hand in a disk that fails. */
  fdatasync?: (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;
}

/** What the write probe writes: more than a typical delivery (a merge request event is some 5 KB), so that a store taking the probe takes one too. */
const PROBE_BYTES = 16 * 1024;

/** The longest a write waits for others to share its commit. */
const MAX_BATCH_WAIT_MS = 2;

interface BatchEntry {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A committed write waiting for the disk flush that makes it durable. */
interface Committed {
  entry: BatchEntry;
  value: unknown;
}

/**
 * Every write is on disk before the call resolves, so a job accepted here survives a crash or a power
 * cut from the moment GitLab gets its 202. Writes requested while the event loop is busy, or while the
 * disk flushes the previous commit, share one transaction and one flush (see commitWhenCaughtUp): under
 * a burst of webhooks the cost of durability is paid per batch, not per event.
 *
 * The flush does not hold the event loop. SQLite runs with `synchronous = NORMAL`, which in WAL mode
 * writes each commit to the WAL without waiting for the disk; the store then flushes the WAL file itself
 * (`fdatasync` on libuv's thread pool) and then resolves that commit's writes. That is what `synchronous = FULL` does, one `fdatasync` of the WAL per commit, with the wait
 * moved off the event loop (SQLite still syncs the WAL and the database itself at each checkpoint).
 * A flush that fails leaves writes whose durability is unknown: they are refused, and so is every later
 * write until the process restarts (`writable()` answers false, so `/readyz` says so).
 *
 * Delivery keys and effects older than the retention window are pruned as new ones arrive.
 *
 * After `close()` nothing is read or written any more, and a call made then never settles: what is
 * still running at shutdown (an event whose GitLab call was cut) neither acts on a read that did
 * not happen nor records anything, and its job stays stored, unfinished, for the next start.
 */
export class SqliteStore implements Store, RuleConfigStore {
  private readonly db: Database.Database;
  private readonly tables: StoreTables;
  /** Decision records, in a file of their own (see SqliteDecisions). */
  private readonly records: SqliteDecisions;
  private readonly configs: RuleConfigTables;
  private batch: BatchEntry[] = [];
  /** When the first write of the current batch came, and its size at the end of the previous turn. */
  private batchOpenedAt = 0;
  private sizeAtLastTurn = 0;
  private closed = false;
  /** The WAL file, flushed after each commit; the file SQLite writes commits to, open as long as the store. */
  private readonly walFd: number;
  /** Committed writes waiting for a flush that begins after their commit. */
  private unflushed: Committed[] = [];
  /** The flush under way, if any. */
  private flushing: Promise<void> | undefined;
  /** Set once a flush of the WAL failed: the store takes no more writes. */
  private flushFailure: Error | undefined;
  private readonly fdatasync: NonNullable<SqliteStoreOptions['fdatasync']>;
  /** When the last write probe succeeded; cleared when any write fails. */
  private probedAt: number | undefined;
  private readonly probeIntervalMs: number;
  private readonly now: () => number;
  private readonly probeWrite: () => void;
  /** Made once: better-sqlite3 builds several wrapper functions per `transaction()` call. */
  private readonly commitBatch: (batch: readonly BatchEntry[], results: unknown[]) => void;

  constructor(dir: string, options: SqliteStoreOptions = {}) {
    mkdirSync(dir, { recursive: true });
    this.db = new Database(join(dir, 'rulebot.sqlite'));
    this.db.pragma('journal_mode = WAL');
    // Durable all the same: each commit's WAL is flushed before its writes resolve (see the class comment).
    this.db.pragma('synchronous = NORMAL');
    // The CLI (`rulebot dead-letters`) may write while the server runs: wait for each other's locks.
    this.db.pragma('busy_timeout = 5000');
    this.now = options.now ?? (() => Date.now());
    this.probeIntervalMs = options.probeIntervalMs ?? 5_000;
    this.fdatasync = options.fdatasync ?? fdatasync;
    const driver = betterSqliteDriver(this.db);
    // Tables created or brought up to date in one write transaction: the server and `rulebot
    // dead-letters` opening an older file at the same time do not both change it.
    this.tables = this.db.transaction(() => new StoreTables(driver, options.retentionMs ?? 7 * 24 * 3_600_000, this.now)).immediate();
    this.configs = new RuleConfigTables(driver);
    this.records = new SqliteDecisions(dir, { ...(options.decisions && { limits: options.decisions }), now: this.now, onError: options.onRecordError });
    // The WAL exists once a write transaction committed in WAL mode (the tables' just did), and stays while a connection is open.
    this.walFd = openSync(join(dir, 'rulebot.sqlite-wal'), 'r+');
    const db = this.db;
    db.exec('CREATE TABLE IF NOT EXISTS write_probe (pad BLOB NOT NULL)');
    const insertProbe = db.prepare('INSERT INTO write_probe (pad) VALUES (zeroblob(?))');
    const deleteProbes = db.prepare('DELETE FROM write_probe');
    // Committed, not rolled back: a full disk or a read-only volume shows only when pages reach the file.
    this.probeWrite = db.transaction(() => {
      insertProbe.run(PROBE_BYTES);
      deleteProbes.run();
    });
    // Nested in the batch's transaction, each write runs in a savepoint of its own.
    const inSavepoint = db.transaction((write: () => unknown) => write());
    this.commitBatch = db.transaction((batch: readonly BatchEntry[], results: unknown[]) => {
      for (const entry of batch) {
        try {
          results.push({ value: inSavepoint(entry.write) });
        } catch (error) {
          results.push({ error });
        }
      }
    });
  }

  acceptDelivery(key: string | undefined, job: StoredJob): Promise<boolean> {
    return this.write(() => this.tables.acceptDelivery(key, job));
  }

  /**
   * Read in turn with the writes, not at once: a job committed but still waiting for its flush is not
   * answered or queued yet, and `resume()` must not queue it a second time. Read after the writes before
   * it, it resolves after them, so their callers have queued their jobs when this list arrives.
   */
  unfinishedJobIds(): Promise<string[]> {
    return this.write(() => this.tables.unfinishedJobIds());
  }

  job(id: string): Promise<StoredJob | undefined> {
    return this.read(() => this.tables.job(id));
  }

  finishJob(id: string): Promise<void> {
    return this.write(() => this.tables.finishJob(id));
  }

  retryJobLater(id: string, nextAttemptAt: number, error: string, firstAttemptAt: number): Promise<void> {
    return this.write(() => {
      this.tables.retryJobLater(id, nextAttemptAt, error, firstAttemptAt);
      this.records.settle(id, 'retrying', error);
    });
  }

  deadLetter(id: string, reason: string, made: AttemptsMade): Promise<void> {
    return this.write(() => {
      // A job that never ran (its payload could not be read) has no record yet: its project names it.
      const projectId = this.tables.job(id)?.project_id;
      this.tables.deadLetter(id, reason, made);
      this.records.settle(id, 'dead_letter', reason, projectId);
    });
  }

  deadLetters(options: { payloads?: boolean } = {}): Promise<DeadLetter[]> {
    return this.read(() => this.tables.deadLetters(options.payloads ?? true));
  }

  reviveDeadLetter(id: string): Promise<StoredJob | undefined> {
    return this.write(() => {
      const job = this.tables.reviveDeadLetter(id);
      if (job) this.records.settle(id, 'retrying', 'put back from the dead letters');
      return job;
    });
  }

  queueStats(): Promise<QueueStats> {
    return this.read(() => this.tables.queueStats());
  }

  claim(key: string, owner: string): Promise<'new' | 'own' | 'taken'> {
    return this.write(() => this.tables.claim(key, owner));
  }

  effectTime(jobId: string, effect: string): Promise<number | undefined> {
    return this.read(() => this.tables.effectTime(jobId, effect));
  }

  recordEffect(jobId: string, effect: string): Promise<void> {
    return this.write(() => this.tables.recordEffect(jobId, effect));
  }

  lastScheduleRun(rule: string): Promise<number | undefined> {
    return this.read(() => this.tables.lastScheduleRun(rule));
  }

  recordScheduleRun(rule: string, at: number): Promise<void> {
    return this.write(() => this.tables.recordScheduleRun(rule, at));
  }

  /** Resolves at once: the record is written after this turn, apart from the store's commits (see SqliteDecisions). */
  async recordDecision(record: DecisionInput, options: { firstAttempt?: boolean } = {}): Promise<void> {
    if (!this.closed) this.records.record(record, options.firstAttempt ?? false);
  }

  decisions(query: DecisionQuery): Promise<DecisionPage> {
    return this.read(() => this.records.decisions(query));
  }

  decision(id: string): Promise<DecisionRecord | undefined> {
    return this.read(() => this.records.decision(id));
  }

  /** Drops expired decision records now (they are also dropped every minute). */
  pruneDecisions(): Promise<void> {
    return this.records.prune();
  }

  /**
   * Whether a write commits now: a small one is committed to a table of its own, at most once per
   * `probeIntervalMs` while they succeed, and again at the next call after any write failed. Reads
   * alone would not tell: a full disk or a read-only volume still answers them.
   */
  async writable(): Promise<boolean> {
    if (this.closed || this.flushFailure) return false;
    if (this.probedAt !== undefined && this.now() - this.probedAt < this.probeIntervalMs) return true;
    try {
      this.probeWrite();
      fdatasyncSync(this.walFd);
      this.probedAt = this.now();
      return true;
    } catch {
      this.probedAt = undefined;
      return false;
    }
  }

  async value(key: string): Promise<string | undefined> {
    return this.tables.value(key);
  }

  swapValue(key: string, expected: string | undefined, next: string | undefined): Promise<boolean> {
    return this.write(() => this.tables.swapValue(key, expected, next));
  }

  async ruleConfig(id: number, options: { texts: boolean }): Promise<RuleConfigRecord | undefined> {
    return this.configs.ruleConfig(id, options.texts);
  }

  saveRuleConfig(config: NewRuleConfig, expectedVersion: number | undefined): Promise<number | undefined> {
    return this.write(() => this.configs.saveRuleConfig(config, expectedVersion));
  }

  invalidateRuleConfigs(change: PushedChange): Promise<number[]> {
    return this.write(() => this.configs.invalidateRuleConfigs(change));
  }

  async ruleConfigsWithSchedules(): Promise<RuleConfigRecord[]> {
    return this.configs.ruleConfigsWithSchedules();
  }

  async ruleConfigProblems(): Promise<{ configs: number; invalid: RuleConfigRecord[] }> {
    return this.configs.ruleConfigProblems();
  }

  async configNote(projectId: number, iid: number): Promise<number | undefined> {
    return this.configs.configNote(projectId, iid);
  }

  setConfigNote(projectId: number, iid: number, noteId: number): Promise<void> {
    return this.write(() => this.configs.setConfigNote(projectId, iid, noteId));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // The last batch may still change records' outcomes: it goes first.
    this.flush();
    this.records.close();
    this.closed = true;
    while (this.flushing) await this.flushing;
    if (this.unflushed.length > 0) {
      const committed = this.takeUnflushed();
      let failure: Error | undefined;
      try {
        fdatasyncSync(this.walFd);
      } catch (error) {
        failure = error as Error;
      }
      this.settleFlushed(committed, failure);
    }
    closeSync(this.walFd);
    if (this.db.open) this.db.close();
  }

  private read<T>(read: () => T): Promise<T> {
    if (this.closed) return new Promise<T>(() => {});
    try {
      return Promise.resolve(read());
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Runs `write` in the transaction of the current batch; resolves once that transaction is committed. */
  private write<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) return;
      if (this.flushFailure) return reject(this.flushFailure);
      if (this.batch.push({ write, resolve: resolve as (value: unknown) => void, reject }) === 1) {
        this.batchOpenedAt = performance.now();
        this.sizeAtLastTurn = 0;
        setImmediate(this.commitWhenCaughtUp);
      }
    });
  }

  /**
   * Commits the batch at the end of the first turn of the event loop that added no write to it. A commit costs
   * about the same for one write as for twenty (it waits for the disk), so while each turn still brings writes
   * (deliveries being read, events finishing) they join: under load, every delivery in flight shares one commit.
   * When nothing else is under way the next turn adds nothing, and the commit follows at once. A batch waits at
   * most MAX_BATCH_WAIT_MS.
   */
  private readonly commitWhenCaughtUp = () => {
    const size = this.batch.length;
    if (size > this.sizeAtLastTurn && performance.now() - this.batchOpenedAt < MAX_BATCH_WAIT_MS) {
      this.sizeAtLastTurn = size;
      setImmediate(this.commitWhenCaughtUp);
      return;
    }
    // While the disk flushes the previous commit, this batch keeps growing: it commits when that flush ends.
    if (!this.flushing) this.flush();
  };

  private flush(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    const results: unknown[] = [];
    try {
      this.tables.prune();
      // One failing write rolls back only itself (a savepoint), not its batch-mates.
      this.commitBatch(batch, results);
    } catch (error) {
      this.probedAt = undefined;
      for (const entry of batch) entry.reject(error);
      return;
    }
    batch.forEach((entry, i) => {
      const result = results[i] as { value?: unknown; error?: unknown };
      if ('error' in result) {
        // Readiness probes again rather than trust an older probe (a disk may have just filled up).
        this.probedAt = undefined;
        entry.reject(result.error);
      } else this.unflushed.push({ entry, value: result.value });
    });
    if (!this.flushing && !this.closed) this.flushWalInBackground();
  }

  /** Flushes the WAL on the thread pool, then settles what was committed before it and commits the writes that came meanwhile. */
  private flushWalInBackground(): void {
    const committed = this.takeUnflushed();
    this.flushing = new Promise<void>((done) => {
      this.fdatasync(this.walFd, (error) => {
        this.settleFlushed(committed, error ?? undefined);
        done();
      });
    }).then(() => {
      this.flushing = undefined;
      if (!this.closed) this.flush();
    });
  }

  private takeUnflushed(): Committed[] {
    const committed = this.unflushed;
    this.unflushed = [];
    return committed;
  }

  private settleFlushed(committed: readonly Committed[], error: Error | undefined): void {
    if (error && !this.flushFailure) {
      this.probedAt = undefined;
      this.flushFailure = new Error(`the store could not flush its writes to disk (${error.message}): restart rulebot once the disk is sound`, { cause: error });
    }
    for (const { entry, value } of committed) {
      if (error) entry.reject(this.flushFailure);
      else entry.resolve(value);
    }
  }
}

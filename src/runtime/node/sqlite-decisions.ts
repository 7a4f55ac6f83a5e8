// Node's decision records: a SQLite file of their own beside the store's, written in the background of each turn.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { DEFAULT_DECISION_LIMITS, type DecisionInput, type DecisionLimits, type DecisionOutcome, type DecisionPage, type DecisionQuery, type DecisionRecord } from '../../store/decision-record.js';
import { DecisionTables, type DecisionWrite } from '../../store/decision-tables.js';
import { betterSqliteDriver } from './sqlite-driver.js';

export interface SqliteDecisionsOptions {
  limits?: DecisionLimits;
  now?: () => number;
  /** Told when records could not be written (the events they describe are not affected). */
  onError?: (error: unknown) => void;
}

/** How often old records are pruned. */
const PRUNE_INTERVAL_MS = 60_000;
/**
 * How long records wait to be written together, and how many at most. A commit costs more than a
 * record, but records kept waiting long outlive the young generation of the garbage collector and
 * cost more to collect: 25 ms gathers the records of many turns without that.
 */
const WRITE_DELAY_MS = 25;
const WRITE_BATCH = 500;

/**
 * Records are for people to read: unlike accepted events they need not be on disk before anything
 * is answered, and a crash may lose the last moment's. So they live in `decisions.sqlite`, apart
 * from the store's file, with `synchronous = NORMAL` (WAL: no disk flush per commit), and the
 * records and outcome changes of 25 ms (at most 500) are written together, in one
 * transaction, the records' JSON in one row (see DecisionTables). The store's own commits, which GitLab's answers wait for, carry none of it. Reads
 * write what is pending first, so a record just made is read.
 */
export class SqliteDecisions {
  private readonly db: Database.Database;
  private readonly tables: DecisionTables;
  private readonly pruning: ReturnType<typeof setInterval>;
  private pending: DecisionWrite[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly writeAll: (operations: readonly DecisionWrite[]) => void;

  constructor(dir: string, private readonly options: SqliteDecisionsOptions = {}) {
    this.db = new Database(join(dir, 'decisions.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    // Created, or brought up from an older layout, in one transaction.
    this.tables = this.db.transaction(() => new DecisionTables(betterSqliteDriver(this.db), options.limits ?? DEFAULT_DECISION_LIMITS, options.now ?? Date.now, { ids: 'in-memory' })).immediate();
    // Immediate: the write lock is taken first, so that a command line writing records meanwhile waits instead of failing.
    const write = this.db.transaction((operations: readonly DecisionWrite[]) => this.tables.write(operations));
    this.writeAll = (operations) => write.immediate(operations);
    // Old records go in the background, a bounded chunk at a time.
    this.pruning = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.pruning.unref();
  }

  record(record: DecisionInput, firstAttempt: boolean): void {
    this.queue({ kind: 'record', record, firstAttempt });
  }

  /** The outcome of an event's attempt, once the queue decided it (see DecisionTables.settle). */
  settle(id: string, outcome: DecisionOutcome, reason: string, projectId?: number): void {
    this.queue({ kind: 'settle', id, outcome, reason, projectId });
  }

  decisions(query: DecisionQuery): DecisionPage {
    this.flush();
    return this.tables.decisions(query);
  }

  decision(id: string): DecisionRecord | undefined {
    this.flush();
    return this.tables.decision(id);
  }

  /**
   * Drops expired records (or those beyond the most kept), a chunk per transaction; while more is
   * left, the next chunk goes after the events waiting meanwhile, so pruning never holds them up long.
   */
  prune(): Promise<void> {
    return new Promise((resolve) => {
      const chunk = () => {
        try {
          this.flush();
          if (this.db.open && this.db.transaction(() => this.tables.prune())()) return void setImmediate(chunk);
        } catch (error) {
          this.options.onError?.(error);
        }
        resolve();
      };
      chunk();
    });
  }

  close(): void {
    clearInterval(this.pruning);
    this.flush();
    if (this.db.open) this.db.close();
  }

  private queue(operation: DecisionWrite): void {
    const count = this.pending.push(operation);
    if (count >= WRITE_BATCH) this.flush();
    else if (count === 1) this.timer = setTimeout(() => this.flush(), WRITE_DELAY_MS);
  }

  private flush(): void {
    clearTimeout(this.timer);
    const operations = this.pending;
    if (operations.length === 0 || !this.db.open) return;
    this.pending = [];
    try {
      this.writeAll(operations);
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}

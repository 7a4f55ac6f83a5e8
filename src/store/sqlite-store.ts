// The Node Store: one SQLite file in DATA_DIR (better-sqlite3), so accepted events survive a crash or restart.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DeadLetter, QueueStats, Store, StoredJob } from './store.js';

export interface SqliteStoreOptions {
  /** How long delivery keys and effects are remembered, in ms (default 7 days). */
  retentionMs?: number;
  now?: () => number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS deliveries (key TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
  CREATE INDEX IF NOT EXISTS deliveries_seen_at ON deliveries (seen_at);
  CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    project_id INTEGER NOT NULL,
    payload TEXT NOT NULL,
    event_uuid TEXT,
    received_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT
  );
  CREATE TABLE IF NOT EXISTS dead_letters (id TEXT PRIMARY KEY, job TEXT NOT NULL, reason TEXT NOT NULL, failed_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS effects (job_id TEXT NOT NULL, effect TEXT NOT NULL, made_at INTEGER NOT NULL, PRIMARY KEY (job_id, effect));
  CREATE TABLE IF NOT EXISTS schedule_runs (rule TEXT PRIMARY KEY, at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, owner TEXT NOT NULL, at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

interface BatchEntry {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type JobRow = Omit<StoredJob, 'event_uuid' | 'last_error'> & { event_uuid: string | null; last_error: string | null };

/**
 * Every write is committed before the call resolves (WAL journal, `synchronous = FULL`), so a job
 * accepted here is on disk before GitLab gets its 202. Writes requested in the same turn of the event
 * loop share one transaction, and so one disk flush: under a burst of webhooks the cost of durability
 * is paid per batch, not per event. Delivery keys and effects older than the retention window are
 * pruned as new ones arrive.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly retentionMs: number;
  private readonly now: () => number;
  private readonly statements;
  private lastPrune = 0;
  private batch: BatchEntry[] = [];
  /** Made once: better-sqlite3 builds several wrapper functions per `transaction()` call. */
  private readonly commitBatch: (batch: readonly BatchEntry[], results: unknown[]) => void;

  constructor(dir: string, options: SqliteStoreOptions = {}) {
    mkdirSync(dir, { recursive: true });
    this.db = new Database(join(dir, 'rulebot.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // The CLI (`rulebot dead-letters`) may write while the server runs: wait for each other's locks.
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3_600_000;
    this.now = options.now ?? Date.now;
    const db = this.db;
    this.statements = {
      seen: db.prepare<[string, number], { seen_at: number }>('SELECT seen_at FROM deliveries WHERE key = ? AND seen_at > ?'),
      see: db.prepare<[string, number]>('INSERT OR REPLACE INTO deliveries (key, seen_at) VALUES (?, ?)'),
      pruneDeliveries: db.prepare<[number]>('DELETE FROM deliveries WHERE seen_at <= ?'),
      pruneEffects: db.prepare<[number]>('DELETE FROM effects WHERE made_at <= ?'),
      insertJob: db.prepare(
        'INSERT INTO jobs (id, project_id, payload, event_uuid, received_at, attempts, next_attempt_at, last_error) VALUES (@id, @project_id, @payload, @event_uuid, @received_at, @attempts, @next_attempt_at, @last_error)',
      ),
      job: db.prepare<[string], JobRow>('SELECT id, project_id, payload, event_uuid, received_at, attempts, next_attempt_at, last_error FROM jobs WHERE id = ?'),
      deleteJob: db.prepare<[string]>('DELETE FROM jobs WHERE id = ?'),
      jobIds: db.prepare<[], { id: string }>('SELECT id FROM jobs ORDER BY seq'),
      retry: db.prepare<[number, string, string]>('UPDATE jobs SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?'),
      bury: db.prepare<[string, string, string, number]>('INSERT OR REPLACE INTO dead_letters (id, job, reason, failed_at) VALUES (?, ?, ?, ?)'),
      dead: db.prepare<[], { job: string; reason: string; failed_at: number }>('SELECT job, reason, failed_at FROM dead_letters ORDER BY failed_at'),
      deadOne: db.prepare<[string], { job: string }>('SELECT job FROM dead_letters WHERE id = ?'),
      unbury: db.prepare<[string]>('DELETE FROM dead_letters WHERE id = ?'),
      stats: db.prepare<[], { depth: number; oldest: number | null }>('SELECT COUNT(*) AS depth, MIN(received_at) AS oldest FROM jobs'),
      deadCount: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM dead_letters'),
      effectTime: db.prepare<[string, string], { made_at: number }>('SELECT made_at FROM effects WHERE job_id = ? AND effect = ?'),
      addEffect: db.prepare<[string, string, number]>('INSERT OR IGNORE INTO effects (job_id, effect, made_at) VALUES (?, ?, ?)'),
      lastRun: db.prepare<[string], { at: number }>('SELECT at FROM schedule_runs WHERE rule = ?'),
      setRun: db.prepare<[string, number]>('INSERT OR REPLACE INTO schedule_runs (rule, at) VALUES (?, ?)'),
      getClaim: db.prepare<[string], { owner: string; at: number }>('SELECT owner, at FROM claims WHERE key = ?'),
      setClaim: db.prepare<[string, string, number]>('INSERT OR REPLACE INTO claims (key, owner, at) VALUES (?, ?, ?)'),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
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
    const now = this.now();
    return this.write(() => {
      if (key !== undefined) {
        if (this.statements.seen.get(key, now - this.retentionMs)) return false;
        this.statements.see.run(key, now);
      }
      this.statements.insertJob.run({ ...job, event_uuid: job.event_uuid ?? null, last_error: job.last_error ?? null });
      return true;
    });
  }


  async unfinishedJobIds(): Promise<string[]> {
    return this.statements.jobIds.all().map((row) => row.id);
  }

  async job(id: string): Promise<StoredJob | undefined> {
    const row = this.statements.job.get(id);
    return row && toJob(row);
  }

  async finishJob(id: string): Promise<void> {
    await this.write(() => this.statements.deleteJob.run(id));
  }

  async retryJobLater(id: string, nextAttemptAt: number, error: string): Promise<void> {
    await this.write(() => {
      this.statements.retry.run(nextAttemptAt, error, id);
      this.setLastError(id, error);
    });
  }

  async deadLetter(id: string, reason: string): Promise<void> {
    await this.write(() => {
      const row = this.statements.job.get(id);
      if (!row) return;
      this.statements.bury.run(id, JSON.stringify(toJob(row)), reason, this.now());
      this.statements.deleteJob.run(id);
      this.setLastError(id, reason);
    });
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return this.statements.dead.all().map((row) => ({ job: JSON.parse(row.job) as StoredJob, reason: row.reason, failed_at: row.failed_at }));
  }

  reviveDeadLetter(id: string): Promise<StoredJob | undefined> {
    return this.write(() => {
      const row = this.statements.deadOne.get(id);
      if (!row) return undefined;
      const now = this.now();
      const job: StoredJob = { ...(JSON.parse(row.job) as StoredJob), attempts: 0, received_at: now, next_attempt_at: now, last_error: undefined };
      this.statements.unbury.run(id);
      this.statements.insertJob.run({ ...job, event_uuid: job.event_uuid ?? null, last_error: null });
      return job;
    });
  }

  async queueStats(): Promise<QueueStats> {
    const { depth, oldest } = this.statements.stats.get()!;
    const last = this.statements.getMeta.get('last_error');
    return {
      depth,
      oldest_pending_at: oldest ?? undefined,
      dead_letters: this.statements.deadCount.get()!.n,
      last_error: last ? (JSON.parse(last.value) as QueueStats['last_error']) : undefined,
    };
  }

  claim(key: string, owner: string): Promise<'new' | 'own' | 'taken'> {
    const now = this.now();
    return this.write(() => {
      const held = this.statements.getClaim.get(key);
      if (held && now - held.at < this.retentionMs) return held.owner === owner ? 'own' : 'taken';
      this.statements.setClaim.run(key, owner, now);
      return 'new';
    });
  }

  async effectTime(jobId: string, effect: string): Promise<number | undefined> {
    return this.statements.effectTime.get(jobId, effect)?.made_at;
  }

  async recordEffect(jobId: string, effect: string): Promise<void> {
    await this.write(() => this.statements.addEffect.run(jobId, effect, this.now()));
  }

  async lastScheduleRun(rule: string): Promise<number | undefined> {
    return this.statements.lastRun.get(rule)?.at;
  }

  async recordScheduleRun(rule: string, at: number): Promise<void> {
    await this.write(() => this.statements.setRun.run(rule, at));
  }

  async close(): Promise<void> {
    this.flush();
    if (this.db.open) this.db.close();
  }

  /** Runs `write` in the transaction of the current batch; resolves once that transaction is committed. */
  private write<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.batch.push({ write, resolve: resolve as (value: unknown) => void, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    const results: unknown[] = [];
    try {
      this.prune(this.now());
      // One failing write rolls back only itself (a savepoint), not its batch-mates.
      this.commitBatch(batch, results);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    batch.forEach((entry, i) => {
      const result = results[i] as { value?: unknown; error?: unknown };
      if ('error' in result) entry.reject(result.error);
      else entry.resolve(result.value);
    });
  }

  private setLastError(job: string, message: string): void {
    this.statements.setMeta.run('last_error', JSON.stringify({ job, message, at: this.now() }));
  }

  /** Drops expired delivery keys and effects, at most once a minute. */
  private prune(now: number): void {
    if (now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    this.statements.pruneDeliveries.run(now - this.retentionMs);
    this.statements.pruneEffects.run(now - this.retentionMs);
  }
}

function toJob(row: JobRow): StoredJob {
  return { ...row, event_uuid: row.event_uuid ?? undefined, last_error: row.last_error ?? undefined };
}

// The Store's tables and queries, over any synchronous SQLite: better-sqlite3 on Node, a Durable Object's storage on Workers.
import { deadPartsKey, payloadParts } from './payload-parts.js';
import type { AttemptsMade, DeadLetter, QueueStats, StoredJob } from './store.js';

/** What the tables need from an SQLite connection: positional `?` parameters, rows as plain objects. */
export interface SqlDriver {
  exec(sql: string): void;
  all<Row>(sql: string, ...params: SqlValue[]): Row[];
  run(sql: string, ...params: SqlValue[]): void;
}

export type SqlValue = string | number | null;

export const SCHEMA = `
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
  CREATE TABLE IF NOT EXISTS attempts (job_id TEXT PRIMARY KEY, started INTEGER NOT NULL, lease_until INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS job_parts (job_id TEXT NOT NULL, part INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (job_id, part));
`;

/**
 * Changes to the tables since `SCHEMA` was first released, in order; `meta.schema_version` counts
 * those applied. A new database is created in the first shape and brought up to date by the same
 * steps as an old one, so both end up alike. The caller runs the constructor in one transaction
 * (so two processes opening one old file do not both apply a step).
 */
export const MIGRATIONS: readonly string[] = [
  // 1. The give-up window counts from an event's first attempt. A job attempted before this was
  // recorded counts from its acceptance (the earliest its attempts can have begun; a begun attempt
  // on Workers leaves a row in `attempts`). Dead letters then counted the attempts before the one
  // that failed for good: that one is added, so that every dead letter counts every attempt made.
  `ALTER TABLE jobs ADD COLUMN first_attempt_at INTEGER;
   UPDATE jobs SET first_attempt_at = received_at WHERE attempts > 0 OR id IN (SELECT job_id FROM attempts);
   UPDATE dead_letters SET job = json_set(job, '$.attempts', json_extract(job, '$.attempts') + 1, '$.first_attempt_at', json_extract(job, '$.received_at'));`,
];


/** What `beginAttempt` decides for a job whose message arrived. */
export type AttemptStart =
  /** `attempt`: attempts begun since the job was accepted (or put back), this one included. */
  | { state: 'run'; job: StoredJob; retrying: boolean; attempt: number }
  | { state: 'busy'; retryInMs: number }
  /** `attempts` began, `unended` of them never ended. */
  | { state: 'stuck'; attempts: number; unended: number; first_attempt_at: number | undefined }
  | { state: 'gone' };

/** Attempts that began and never ended (the consumer was stopped: a CPU limit, a crash) before a job is given up. */
const MAX_UNENDED_ATTEMPTS = 5;

const JOB_COLUMNS = 'id, project_id, payload, event_uuid, received_at, attempts, next_attempt_at, last_error, first_attempt_at';

type JobRow = Omit<StoredJob, 'event_uuid' | 'last_error' | 'first_attempt_at'> & { event_uuid: string | null; last_error: string | null; first_attempt_at: number | null };

/**
 * Every method is synchronous and touches the tables only through `sql`; the caller decides the
 * transaction (Node batches several calls in one, a Durable Object commits each method's writes
 * together). Delivery keys, claims and effects older than `retentionMs` count as gone and are pruned
 * by `prune()`.
 */
export class StoreTables {
  private lastPrune = 0;

  constructor(
    private readonly sql: SqlDriver,
    private readonly retentionMs: number,
    private readonly now: () => number,
  ) {
    sql.exec(SCHEMA);
    const applied = Number(this.meta('schema_version') ?? 0);
    MIGRATIONS.forEach((statements, index) => {
      if (index < applied) return;
      sql.exec(statements);
      this.setMeta('schema_version', String(index + 1));
    });
  }

  acceptDelivery(key: string | undefined, job: StoredJob): boolean {
    const now = this.now();
    if (key !== undefined) {
      if (this.first<{ seen_at: number }>('SELECT seen_at FROM deliveries WHERE key = ? AND seen_at > ?', key, now - this.retentionMs)) return false;
      this.sql.run('INSERT OR REPLACE INTO deliveries (key, seen_at) VALUES (?, ?)', key, now);
    }
    this.insertJob(job);
    return true;
  }

  unfinishedJobIds(): string[] {
    return this.sql.all<{ id: string }>('SELECT id FROM jobs ORDER BY seq').map((row) => row.id);
  }

  /**
   * Starts an attempt of a job, once at a time: a job another consumer is running (its lease not run
   * out), or whose next attempt is not due yet (its back-off after a failure), is `busy`. `retrying`
   * is true when an earlier attempt started (or the job is a dead letter put back), whatever carried
   * this one (a queue retry, a resend), so that its calls are checked before being made again. The
   * first attempt records when it began, before anything runs.
   */
  beginAttempt(id: string, now: number, leaseMs: number): AttemptStart {
    const row = this.first<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`, id);
    if (!row) return { state: 'gone' };
    const held = this.first<{ started: number; lease_until: number }>('SELECT started, lease_until FROM attempts WHERE job_id = ?', id);
    if (held && held.lease_until > now) return { state: 'busy', retryInMs: held.lease_until - now };
    // Each attempt that ended recorded a failure (or finished the job); the others were stopped.
    const job = toJob(row);
    // Early (a second message for the event, a redelivery after a crash): it waits for the back-off.
    if (job.next_attempt_at > now + 1_000) return { state: 'busy', retryInMs: job.next_attempt_at - now };
    const begun = held?.started ?? 0;
    const unended = begun - job.attempts;
    if (unended >= MAX_UNENDED_ATTEMPTS) return { state: 'stuck', attempts: begun, unended, first_attempt_at: job.first_attempt_at };
    const started = begun + 1;
    this.sql.run('INSERT OR REPLACE INTO attempts (job_id, started, lease_until) VALUES (?, ?, ?)', id, started, now + leaseMs);
    if (job.first_attempt_at === undefined) {
      this.sql.run('UPDATE jobs SET first_attempt_at = ? WHERE id = ?', now, id);
      job.first_attempt_at = now;
    }
    return { state: 'run', job: this.withPayload(job), retrying: held !== undefined || job.attempts > 0, attempt: started };
  }

  /** Attempts of a job begun since it was accepted or put back (on Workers; none are counted on Node). */
  attemptsBegun(id: string): number {
    return this.first<{ started: number }>('SELECT started FROM attempts WHERE job_id = ?', id)?.started ?? 0;
  }

  /** Whether a consumer holds the job's lease now. */
  attemptRunning(id: string, now: number): boolean {
    return (this.first<{ lease_until: number }>('SELECT lease_until FROM attempts WHERE job_id = ?', id)?.lease_until ?? 0) > now;
  }

  /** Ends an attempt that will not finish the job (it failed, or it stopped early): another may start. */
  releaseAttempt(id: string): void {
    this.sql.run('UPDATE attempts SET lease_until = 0 WHERE job_id = ?', id);
  }

  /** Whether a job with this id is stored (not finished, not a dead letter). */
  hasJob(id: string): boolean {
    return this.first<{ id: string }>('SELECT id FROM jobs WHERE id = ?', id) !== undefined;
  }

  /** A job's last recorded error, without reading its payload. */
  lastError(id: string): string | undefined {
    return this.first<{ last_error: string | null }>('SELECT last_error FROM jobs WHERE id = ?', id)?.last_error ?? undefined;
  }

  /** A job is new (accepted) or gone (finished): attempts counted under its id are not its own. */
  forgetAttempts(id: string): void {
    this.sql.run('DELETE FROM attempts WHERE job_id = ?', id);
  }

  /**
   * A dead letter put back: its attempts are counted afresh, but the row says attempts were made
   * before, so the next one is a retry (its calls are checked first).
   */
  countAsRetried(id: string): void {
    this.sql.run('INSERT INTO attempts (job_id, started, lease_until) VALUES (?, 0, 0) ON CONFLICT (job_id) DO UPDATE SET started = 0, lease_until = 0', id);
  }

  /** Takes back an attempt that could not get going (the store failed under it): it does not count as stopped. */
  abandonAttempt(id: string): void {
    this.sql.run('UPDATE attempts SET started = MAX(0, started - 1), lease_until = 0 WHERE job_id = ?', id);
  }

  /**
   * Jobs whose next attempt was due before `before` and that nobody is running: their queue message
   * was lost. At most `max`, oldest first; each is marked due `now`, so that it is handed out again
   * only once it is overdue again.
   */
  claimOverdue(before: number, now: number, max: number): string[] {
    const ids = this.sql
      .all<{ id: string }>(
        'SELECT id FROM jobs LEFT JOIN attempts ON attempts.job_id = jobs.id WHERE next_attempt_at < ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY seq LIMIT ?',
        before, now, max,
      )
      .map((row) => row.id);
    for (const id of ids) this.sql.run('UPDATE jobs SET next_attempt_at = ? WHERE id = ?', now, id);
    return ids;
  }

  job(id: string): StoredJob | undefined {
    const row = this.first<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`, id);
    return row && this.withPayload(toJob(row));
  }

  finishJob(id: string): void {
    this.sql.run('DELETE FROM jobs WHERE id = ?', id);
    this.sql.run('DELETE FROM job_parts WHERE job_id = ?', id);
  }

  retryJobLater(id: string, nextAttemptAt: number, error: string, firstAttemptAt: number): void {
    this.sql.run(
      'UPDATE jobs SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, first_attempt_at = COALESCE(first_attempt_at, ?) WHERE id = ?',
      nextAttemptAt, error, firstAttemptAt, id,
    );
    this.setLastError(id, error);
  }

  deadLetter(id: string, reason: string, made: AttemptsMade): void {
    const row = this.first<JobRow>(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = ?`, id);
    if (!row) return;
    const stored = toJob(row);
    const job: StoredJob = { ...stored, attempts: made.attempts, first_attempt_at: stored.first_attempt_at ?? made.first_attempt_at };
    // A payload kept in parts moves with the dead letter, out of reach of a later job with the same id.
    this.sql.run('INSERT OR REPLACE INTO dead_letters (id, job, reason, failed_at) VALUES (?, ?, ?, ?)', id, JSON.stringify(job), reason, this.now());
    this.sql.run('DELETE FROM job_parts WHERE job_id = ?', deadPartsKey(id));
    this.sql.run('UPDATE job_parts SET job_id = ? WHERE job_id = ?', deadPartsKey(id), id);
    this.sql.run('DELETE FROM jobs WHERE id = ?', id);
    this.setLastError(id, reason);
  }

  /** The dead letters, oldest first; without their payloads (left empty) when `payloads` is false. */
  deadLetters(payloads = true): DeadLetter[] {
    return this.sql.all<{ job: string; reason: string; failed_at: number }>('SELECT job, reason, failed_at FROM dead_letters ORDER BY failed_at').map((row) => {
      const job = JSON.parse(row.job) as StoredJob;
      return { job: payloads ? this.withPayload(job, deadPartsKey(job.id)) : { ...job, payload: '' }, reason: row.reason, failed_at: row.failed_at };
    });
  }

  /**
   * Puts a dead letter back as a job accepted now, with no attempts made, keeping when its first
   * attempt began (see `Store.reviveDeadLetter`). Undefined when there is no dead letter with this id,
   * or when a job with the same id is queued (a re-sent delivery): the dead letter then stays.
   */
  reviveDeadLetter(id: string): StoredJob | undefined {
    const row = this.first<{ job: string }>('SELECT job FROM dead_letters WHERE id = ?', id);
    if (!row || this.hasJob(id)) return undefined;
    const now = this.now();
    const job: StoredJob = { ...(JSON.parse(row.job) as StoredJob), attempts: 0, received_at: now, next_attempt_at: now, last_error: undefined };
    this.sql.run('DELETE FROM dead_letters WHERE id = ?', id);
    this.sql.run('DELETE FROM job_parts WHERE job_id = ?', id);
    this.sql.run('UPDATE job_parts SET job_id = ? WHERE job_id = ?', id, deadPartsKey(id));
    this.insertJob(job);
    return this.withPayload(job);
  }

  queueStats(): QueueStats {
    const { depth, oldest } = this.first<{ depth: number; oldest: number | null }>('SELECT COUNT(*) AS depth, MIN(received_at) AS oldest FROM jobs')!;
    const last = this.meta('last_error');
    return {
      depth,
      oldest_pending_at: oldest ?? undefined,
      dead_letters: this.first<{ n: number }>('SELECT COUNT(*) AS n FROM dead_letters')!.n,
      last_error: last ? (JSON.parse(last) as QueueStats['last_error']) : undefined,
    };
  }

  claim(key: string, owner: string): 'new' | 'own' | 'taken' {
    const now = this.now();
    const held = this.first<{ owner: string; at: number }>('SELECT owner, at FROM claims WHERE key = ?', key);
    if (held && now - held.at < this.retentionMs) return held.owner === owner ? 'own' : 'taken';
    this.sql.run('INSERT OR REPLACE INTO claims (key, owner, at) VALUES (?, ?, ?)', key, owner, now);
    return 'new';
  }

  effectTime(jobId: string, effect: string): number | undefined {
    return this.first<{ made_at: number }>('SELECT made_at FROM effects WHERE job_id = ? AND effect = ?', jobId, effect)?.made_at;
  }

  recordEffect(jobId: string, effect: string): void {
    this.sql.run('INSERT OR IGNORE INTO effects (job_id, effect, made_at) VALUES (?, ?, ?)', jobId, effect, this.now());
  }

  lastScheduleRun(rule: string): number | undefined {
    return this.first<{ at: number }>('SELECT at FROM schedule_runs WHERE rule = ?', rule)?.at;
  }

  recordScheduleRun(rule: string, at: number): void {
    this.sql.run('INSERT OR REPLACE INTO schedule_runs (rule, at) VALUES (?, ?)', rule, at);
  }

  meta(key: string): string | undefined {
    return this.first<{ value: string }>('SELECT value FROM meta WHERE key = ?', key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.sql.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, value);
  }

  /** Meta keys starting with `prefix`. */
  metaKeys(prefix: string): string[] {
    return this.sql.all<{ key: string }>('SELECT key FROM meta WHERE substr(key, 1, ?) = ?', prefix.length, prefix).map((row) => row.key);
  }

  deleteMeta(key: string): void {
    this.sql.run('DELETE FROM meta WHERE key = ?', key);
  }

  /** A named value (see Store.value); kept in `meta` under `value:`, apart from the tables' own keys. */
  value(key: string): string | undefined {
    return this.meta(`value:${key}`);
  }

  /** Compare-and-set of a named value (see Store.swapValue); the caller makes it one transaction. */
  swapValue(key: string, expected: string | undefined, next: string | undefined): boolean {
    if (this.value(key) !== expected) return false;
    if (next === undefined) this.deleteMeta(`value:${key}`);
    else this.setMeta(`value:${key}`, next);
    return true;
  }

  /** Drops expired delivery keys, claims and effects, at most once a minute. */
  prune(): void {
    const now = this.now();
    if (now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    const expired = now - this.retentionMs;
    this.sql.run('DELETE FROM deliveries WHERE seen_at <= ?', expired);
    this.sql.run('DELETE FROM effects WHERE made_at <= ?', expired);
    this.sql.run('DELETE FROM claims WHERE at <= ?', expired);
  }

  private insertJob(job: StoredJob): void {
    const parts = payloadParts(job.payload);
    if (parts.length > 1) {
      this.sql.run('DELETE FROM job_parts WHERE job_id = ?', job.id);
      parts.forEach((text, part) => this.sql.run('INSERT INTO job_parts (job_id, part, text) VALUES (?, ?, ?)', job.id, part, text));
    }
    const payload = parts.length > 1 ? '' : job.payload;
    this.sql.run(
      `INSERT INTO jobs (${JOB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      job.id, job.project_id, payload, job.event_uuid ?? null, job.received_at, job.attempts, job.next_attempt_at, job.last_error ?? null,
      job.first_attempt_at ?? null,
    );
  }

  /** The job with its payload put back together when it is kept in parts (its own column is then empty). */
  private withPayload(job: StoredJob, partsKey = job.id): StoredJob {
    if (job.payload !== '') return job;
    const parts = this.sql.all<{ text: string }>('SELECT text FROM job_parts WHERE job_id = ? ORDER BY part', partsKey);
    return parts.length === 0 ? job : { ...job, payload: parts.map((part) => part.text).join('') };
  }

  private setLastError(job: string, message: string): void {
    this.setMeta('last_error', JSON.stringify({ job, message, at: this.now() }));
  }

  private first<Row>(sql: string, ...params: SqlValue[]): Row | undefined {
    return this.sql.all<Row>(sql, ...params)[0];
  }
}

function toJob(row: JobRow): StoredJob {
  return { ...row, event_uuid: row.event_uuid ?? undefined, last_error: row.last_error ?? undefined, first_attempt_at: row.first_attempt_at ?? undefined };
}

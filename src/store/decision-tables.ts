// Decision records in SQLite, shared by Node's store and the Worker's store object: written once per attempt, read newest first, pruned.
import { boundRecord, clip, mergeScheduleRecords, type DecisionLimits, type DecisionOutcome, type DecisionPage, type DecisionQuery, type DecisionRecord } from './decision-record.js';
import type { SqlDriver, SqlValue } from './sql-tables.js';

export const DECISION_SCHEMA = `
  CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    received_at INTEGER NOT NULL,
    finished_at INTEGER,
    attempts INTEGER NOT NULL,
    project TEXT,
    project_id INTEGER,
    subject_kind TEXT,
    iid INTEGER,
    event TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    rules TEXT NOT NULL,
    record TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS decisions_subject ON decisions (project, iid);
`;

/** Rows deleted per pass of `prune`, so that a pass never holds the store for long. */
const PRUNE_CHUNK = 5_000;

interface Row {
  seq: number;
  received_at: number;
  finished_at: number | null;
  attempts: number;
  outcome: string;
  reason: string | null;
  record: string;
}

/**
 * The columns filters use (project, iid, outcome, the names of the rules that listened) beside the
 * record's JSON. Times, attempts, outcome and reason live in columns only, so that a retry or a dead
 * letter updates them without rewriting the record. Synchronous over `sql`; the caller decides the
 * transaction.
 */
export class DecisionTables {
  constructor(
    private readonly sql: SqlDriver,
    private readonly limits: DecisionLimits,
    private readonly now: () => number,
  ) {
    sql.exec(DECISION_SCHEMA);
  }

  /**
   * Records an attempt's decision: a first one inserts, a later attempt of the same event replaces
   * the record and counts the attempt (keeping when it was received). A schedule run's step adds
   * to the run's record. `attempts` of the record says whether this counts as an attempt (0: an
   * ignored or duplicate delivery).
   */
  record(input: DecisionRecord): void {
    let record = boundRecord(input);
    if (record.schedule) {
      const earlier = this.decision(record.id);
      if (earlier?.schedule) record = boundRecord(mergeScheduleRecords(earlier, record));
    }
    const { received_at, finished_at, attempts, outcome, reason, ...rest } = record;
    const names = record.rules.map((rule) => rule.name);
    if (record.schedule) names.push(record.schedule.rule);
    this.sql.run(
      `INSERT INTO decisions (id, received_at, finished_at, attempts, project, project_id, subject_kind, iid, event, outcome, reason, rules, record)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET finished_at = excluded.finished_at, attempts = attempts + excluded.attempts,
         project = excluded.project, project_id = excluded.project_id, subject_kind = excluded.subject_kind, iid = excluded.iid,
         event = excluded.event, outcome = excluded.outcome, reason = excluded.reason, rules = excluded.rules, record = excluded.record`,
      record.id,
      Date.parse(received_at),
      finished_at === null ? null : Date.parse(finished_at),
      attempts,
      record.project?.path ?? null,
      record.project?.id ?? null,
      record.subject?.kind ?? null,
      record.subject?.iid ?? null,
      record.event,
      outcome,
      reason,
      // Between newlines, so that `instr` finds a whole name: `\ndocs\n` is not inside `\ndocs label\n`.
      `\n${names.join('\n')}\n`,
      JSON.stringify(rest),
    );
  }

  /**
   * Sets the outcome of an event's record after its attempt: `retrying` or `dead_letter` with the
   * reason. An event that has no record yet (a payload no version could read, kept as a dead letter
   * when it arrived) gets a short one.
   */
  settle(id: string, outcome: DecisionOutcome, reason: string, projectId?: number): void {
    const now = this.now();
    const text = clip(reason, 500);
    if (this.has(id)) {
      this.sql.run('UPDATE decisions SET outcome = ?, reason = ?, finished_at = ? WHERE id = ?', outcome, text, now, id);
      return;
    }
    const record: DecisionRecord = {
      id, event: 'unknown', event_uuid: null, project: projectId ? { id: projectId, path: String(projectId) } : null, subject: null, user: null,
      outcome, reason: text, received_at: new Date(now).toISOString(), finished_at: new Date(now).toISOString(), attempts: 0, dry_run: false,
      rules: [], rules_omitted: 0, commands: [], calls: [], calls_omitted: 0, planned: [], warnings: [], schedule: null,
    };
    this.record(record);
  }

  has(id: string): boolean {
    return this.first<{ seq: number }>('SELECT seq FROM decisions WHERE id = ?', id) !== undefined;
  }

  decision(id: string): DecisionRecord | undefined {
    const row = this.first<Row>('SELECT seq, received_at, finished_at, attempts, outcome, reason, record FROM decisions WHERE id = ?', id);
    return row && toRecord(row);
  }

  decisions(query: DecisionQuery): DecisionPage {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (query.project !== undefined) {
      if (/^\d+$/.test(query.project)) where.push('project_id = ?'), params.push(Number(query.project));
      else where.push('project = ?'), params.push(query.project);
    }
    if (query.iid !== undefined) where.push('iid = ?'), params.push(query.iid);
    if (query.kind !== undefined) where.push('subject_kind = ?'), params.push(query.kind);
    if (query.outcome !== undefined) where.push('outcome = ?'), params.push(query.outcome);
    if (query.event !== undefined) where.push('event = ?'), params.push(query.event);
    if (query.rule !== undefined) where.push('instr(rules, ?) > 0'), params.push(`\n${query.rule}\n`);
    const before = query.before === undefined ? Number.NaN : Number(query.before);
    if (Number.isSafeInteger(before)) where.push('seq < ?'), params.push(before);
    const rows = this.sql.all<Row>(
      `SELECT seq, received_at, finished_at, attempts, outcome, reason, record FROM decisions
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
      ...params,
      query.limit + 1,
    );
    const page = rows.slice(0, query.limit);
    return { records: page.map(toRecord), next_before: rows.length > query.limit ? String(page.at(-1)!.seq) : null };
  }

  /**
   * Drops records older than the retention window, then the oldest beyond the most kept; at most
   * 5,000 rows of each per call. Returns whether more is left to drop (call again soon).
   */
  prune(): boolean {
    const expired = this.now() - this.limits.retentionMs;
    const old = this.sql.all<{ seq: number }>('SELECT seq FROM decisions WHERE received_at < ? ORDER BY seq LIMIT ?', expired, PRUNE_CHUNK);
    if (old.length > 0) this.sql.run('DELETE FROM decisions WHERE seq <= ? AND received_at < ?', old.at(-1)!.seq, expired);
    // The newest record beyond the limit: it and everything older go.
    const cut = this.first<{ seq: number }>('SELECT seq FROM decisions ORDER BY seq DESC LIMIT 1 OFFSET ?', this.limits.max);
    let over = false;
    if (cut) {
      const oldest = this.first<{ seq: number }>('SELECT MIN(seq) AS seq FROM decisions')!.seq;
      const upTo = Math.min(cut.seq, oldest + PRUNE_CHUNK - 1);
      this.sql.run('DELETE FROM decisions WHERE seq <= ?', upTo);
      over = upTo < cut.seq;
    }
    return old.length === PRUNE_CHUNK || over;
  }

  /** Records kept now. */
  count(): number {
    return this.first<{ n: number }>('SELECT COUNT(*) AS n FROM decisions')!.n;
  }

  private first<T>(sql: string, ...params: SqlValue[]): T | undefined {
    return this.sql.all<T>(sql, ...params)[0];
  }
}

function toRecord(row: Row): DecisionRecord {
  const rest = JSON.parse(row.record) as Omit<DecisionRecord, 'received_at' | 'finished_at' | 'attempts' | 'outcome' | 'reason'>;
  // Keys in the documented order (docs/decision-records.md).
  return {
    id: rest.id,
    event: rest.event,
    event_uuid: rest.event_uuid,
    project: rest.project,
    subject: rest.subject,
    user: rest.user,
    outcome: row.outcome as DecisionOutcome,
    reason: row.reason,
    received_at: new Date(row.received_at).toISOString(),
    finished_at: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
    attempts: row.attempts,
    dry_run: rest.dry_run,
    rules: rest.rules,
    rules_omitted: rest.rules_omitted,
    commands: rest.commands,
    calls: rest.calls,
    calls_omitted: rest.calls_omitted,
    planned: rest.planned,
    warnings: rest.warnings,
    schedule: rest.schedule,
  };
}

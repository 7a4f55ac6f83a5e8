// Decision records in SQLite, shared by Node's store and the Worker's store object: written once per attempt, read newest first, pruned.
import { boundRecord, clip, mergeScheduleRecords, type DecisionInput, type DecisionLimits, type DecisionOutcome, type DecisionPage, type DecisionQuery, type DecisionRecord, type RuleVerdict } from './decision-record.js';
import type { SqlDriver, SqlValue } from './sql-tables.js';

export const DECISION_SCHEMA = `
  CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    id_hash INTEGER NOT NULL,
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
  CREATE INDEX IF NOT EXISTS decisions_id ON decisions (id_hash);
`;

/** Rows deleted per pass of `prune`, so that a pass never holds the store for long. */
const PRUNE_CHUNK = 5_000;

const ROW = 'seq, id, received_at, finished_at, attempts, outcome, reason, record';

interface Row {
  seq: number;
  id: string;
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
  record(input: DecisionInput, options: { firstAttempt?: boolean } = {}): void {
    let record = boundRecord(input);
    const hash = idHash(record.id);
    const earlier = options.firstAttempt ? undefined : this.first<Row>(`SELECT ${ROW} FROM decisions WHERE id_hash = ? AND id = ?`, hash, record.id);
    if (earlier && record.schedule) {
      const merged = toRecord(earlier);
      if (merged.schedule) record = boundRecord(mergeScheduleRecords(merged, record));
    }
    const names = record.rules.map((rule) => rule.name);
    if (record.schedule) names.push(record.schedule.rule);
    // Between newlines, so that `instr` finds a whole name: `\ndocs\n` is not inside `\ndocs label\n`.
    const columns: SqlValue[] = [
      record.finished_at,
      record.project?.path ?? null,
      record.project?.id ?? null,
      record.subject?.kind ?? null,
      record.subject?.iid ?? null,
      record.event,
      record.outcome,
      record.reason,
      `\n${names.join('\n')}\n`,
      compactJson(record),
    ];
    if (earlier) {
      this.sql.run(
        `UPDATE decisions SET finished_at = ?, project = ?, project_id = ?, subject_kind = ?, iid = ?, event = ?, outcome = ?, reason = ?, rules = ?, record = ?,
         attempts = attempts + ? WHERE seq = ?`,
        ...columns, record.attempts, earlier.seq,
      );
      return;
    }
    this.sql.run(
      `INSERT INTO decisions (finished_at, project, project_id, subject_kind, iid, event, outcome, reason, rules, record, id, id_hash, received_at, attempts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...columns, record.id, hash, record.received_at, record.attempts,
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
      this.sql.run('UPDATE decisions SET outcome = ?, reason = ?, finished_at = ? WHERE id_hash = ? AND id = ?', outcome, text, now, idHash(id), id);
      return;
    }
    const record: DecisionInput = {
      id, event: 'unknown', event_uuid: null, project: projectId ? { id: projectId, path: String(projectId) } : null, subject: null, user: null,
      outcome, reason: text, received_at: now, finished_at: now, attempts: 0, dry_run: false,
      rules: [], rules_omitted: 0, commands: [], calls: [], calls_omitted: 0, planned: [], warnings: [], schedule: null,
    };
    this.record(record);
  }

  has(id: string): boolean {
    return this.first<{ seq: number }>('SELECT seq FROM decisions WHERE id_hash = ? AND id = ?', idHash(id), id) !== undefined;
  }

  decision(id: string): DecisionRecord | undefined {
    const row = this.first<Row>(`SELECT ${ROW} FROM decisions WHERE id_hash = ? AND id = ?`, idHash(id), id);
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
      `SELECT ${ROW} FROM decisions
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

/**
 * A 53-bit hash of an event id (two 32-bit FNV-1a passes): ids are random (UUIDs), and an index of
 * small integers costs each insert less than one of the ids themselves. Lookups compare the id too.
 */
function idHash(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    a = Math.imul(a ^ code, 16777619);
    b = Math.imul(b ^ code, 2246822507);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/**
 * The record as stored: without what columns hold, and without empty parts (null, false, 0, []),
 * which `toRecord` puts back. A record is written for every event, so its size is paid often.
 */
function compactJson(record: DecisionInput): string {
  const stored: Stored = { event: record.event };
  if (record.event_uuid !== null) stored.event_uuid = record.event_uuid;
  if (record.project) stored.project = record.project;
  if (record.subject) stored.subject = record.subject;
  if (record.user) stored.user = record.user;
  if (record.dry_run) stored.dry_run = true;
  if (record.rules.length > 0) stored.rules = record.rules.map(compactVerdict);
  if (record.rules_omitted > 0) stored.rules_omitted = record.rules_omitted;
  if (record.commands.length > 0) stored.commands = record.commands;
  if (record.calls.length > 0) stored.calls = record.calls;
  if (record.calls_omitted > 0) stored.calls_omitted = record.calls_omitted;
  if (record.planned.length > 0) stored.planned = record.planned;
  if (record.warnings.length > 0) stored.warnings = record.warnings;
  if (record.schedule) stored.schedule = record.schedule;
  return JSON.stringify(stored);
}

/** A verdict as stored: a fired rule by name and source; the reason left out when its parts give it back. */
function compactVerdict(rule: RuleVerdict): Partial<RuleVerdict> {
  if (rule.fired) return { name: rule.name, source: rule.source, fired: true };
  const stored: Partial<RuleVerdict> = { name: rule.name, source: rule.source, condition: rule.condition, expected: rule.expected, found: rule.found };
  if (rule.undecided) stored.undecided = true;
  if (rule.reason !== reasonOf(rule)) stored.reason = rule.reason;
  return stored;
}

/** `labels.none: found "backport"`, or `files: could not be decided: …`, from a verdict's parts. */
function reasonOf(rule: Partial<RuleVerdict>): string | null {
  if (!rule.condition || !rule.found) return null;
  return rule.undecided ? `${rule.condition}: could not be decided: ${rule.found}` : `${rule.condition}: ${rule.found}`;
}

type Stored = Partial<Omit<DecisionRecord, 'rules'>> & { rules?: Partial<RuleVerdict>[] };

function toRecord(row: Row): DecisionRecord {
  const stored = JSON.parse(row.record) as Stored;
  // Keys in the documented order (docs/decision-records.md), empty parts put back.
  return {
    id: row.id,
    event: stored.event ?? 'unknown',
    event_uuid: stored.event_uuid ?? null,
    project: stored.project ?? null,
    subject: stored.subject ? { ...stored.subject, iid: stored.subject.iid ?? 0, title: stored.subject.title ?? '', url: stored.subject.url || null } : null,
    user: stored.user ? { id: stored.user.id ?? 0, username: stored.user.username ?? '' } : null,
    outcome: row.outcome as DecisionOutcome,
    reason: row.reason,
    received_at: new Date(row.received_at).toISOString(),
    finished_at: row.finished_at === null ? null : new Date(row.finished_at).toISOString(),
    attempts: row.attempts,
    dry_run: stored.dry_run ?? false,
    rules: (stored.rules ?? []).map((rule) => ({
      name: rule.name ?? '',
      source: rule.source ?? '',
      fired: rule.fired ?? false,
      reason: rule.reason ?? (rule.fired ? null : reasonOf(rule)),
      condition: rule.condition ?? null,
      expected: rule.expected ?? null,
      found: rule.found ?? null,
      undecided: rule.undecided ?? false,
    })),
    rules_omitted: stored.rules_omitted ?? 0,
    commands: (stored.commands ?? []).map((command) => ({ ...command, reasons: command.reasons ?? [] })),
    calls: (stored.calls ?? []).map((call) => ({ method: call.method, path: call.path, status: call.status ?? 0, duration_ms: call.duration_ms ?? 0, retries: call.retries ?? 0 })),
    calls_omitted: stored.calls_omitted ?? 0,
    planned: (stored.planned ?? []).map((call) => ({ ...call, rules: call.rules ?? [] })),
    warnings: stored.warnings ?? [],
    schedule: stored.schedule
      ? {
          rule: stored.schedule.rule,
          scanned: stored.schedule.scanned ?? 0,
          matched: stored.schedule.matched ?? 0,
          acted: stored.schedule.acted ?? 0,
          api_calls: stored.schedule.api_calls ?? 0,
          errors: stored.schedule.errors ?? 0,
          items: (stored.schedule.items ?? []).map((item) => ({ ...item, calls: item.calls ?? [] })),
          problems: stored.schedule.problems ?? [],
          // Records made before summary issues were recorded have none.
          summaries: stored.schedule.summaries ?? [],
        }
      : null,
  };
}

// Decision records in SQLite, shared by Node's store and the Worker's store object: written in batches, read newest first, pruned.
import { DecisionIds } from './decision-ids.js';
import { compactJson, toRecord, type DecisionColumns } from './decision-json.js';
import { bareRecord, boundRecord, clip, mergeScheduleRecords, type DecisionInput, type DecisionLimits, type DecisionOutcome, type DecisionPage, type DecisionQuery, type DecisionRecord } from './decision-record.js';
import type { SqlDriver, SqlValue } from './sql-tables.js';

/**
 * `decision_batches`: the JSON of the records written together, one line each. `decision_rows`: one
 * narrow row per record, with what filters and updates touch and where its line is. Times, attempts,
 * outcome and reason live in the row only, so that a retry or a dead letter updates them without
 * rewriting the JSON.
 */
export const DECISION_SCHEMA = `
  CREATE TABLE IF NOT EXISTS decision_batches (batch INTEGER PRIMARY KEY, records TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS decision_rows (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    id_hash INTEGER NOT NULL,
    batch INTEGER NOT NULL,
    slot INTEGER NOT NULL,
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
    rules TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS decision_rows_subject ON decision_rows (project, iid);
`;

/** Event ids found through SQL (see DecisionIds for the other way). */
const ID_INDEX = 'CREATE INDEX IF NOT EXISTS decision_rows_id ON decision_rows (id_hash)';

/**
 * The layout before batches (one row per record, its JSON in `record`): each old row becomes a batch
 * of one, so that records kept before an upgrade are still read.
 */
const MIGRATE_ONE_ROW_PER_RECORD = `
  INSERT INTO decision_batches (batch, records) SELECT seq, record FROM decisions;
  INSERT INTO decision_rows (seq, id, id_hash, batch, slot, received_at, finished_at, attempts, project, project_id, subject_kind, iid, event, outcome, reason, rules)
    SELECT seq, id, id_hash, seq, 0, received_at, finished_at, attempts, project, project_id, subject_kind, iid, event, outcome, reason, rules FROM decisions;
  DROP TABLE decisions;
`;

/** Rows deleted per pass of `prune`, so that a pass never holds the store for long. */
const PRUNE_CHUNK = 5_000;

const ROW = 'seq, id, batch, slot, event, project, project_id, subject_kind, iid, received_at, finished_at, attempts, outcome, reason';

interface Row extends DecisionColumns {
  seq: number;
  batch: number;
  slot: number;
}

/**
 * What `write` does, in order: record a decision (`firstAttempt`: no record with this id can exist
 * yet, a first attempt or a new delivery, so none is looked for), or settle the outcome of an
 * event's attempt (see `settle`).
 */
export type DecisionWrite =
  | { kind: 'record'; record: DecisionInput; firstAttempt: boolean }
  | { kind: 'settle'; id: string; outcome: DecisionOutcome; reason: string; projectId?: number | undefined };

export interface DecisionTablesOptions {
  /**
   * How a record is found by event id: `indexed`, an SQL index (the default); `in-memory`, a map read
   * from the rows when the tables are opened (see DecisionIds), for a process that keeps them open.
   */
  ids?: 'indexed' | 'in-memory';
}

/** Synchronous over `sql`; the caller decides the transaction, and runs the constructor in one (it may migrate). */
export class DecisionTables {
  private readonly ids: DecisionIds | undefined;

  constructor(
    private readonly sql: SqlDriver,
    private readonly limits: DecisionLimits,
    private readonly now: () => number,
    options: DecisionTablesOptions = {},
  ) {
    sql.exec(DECISION_SCHEMA);
    if (this.first("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'decisions'")) sql.exec(MIGRATE_ONE_ROW_PER_RECORD);
    sql.exec(options.ids === 'in-memory' ? 'DROP INDEX IF EXISTS decision_rows_id' : ID_INDEX);
    this.ids = options.ids === 'in-memory' ? new DecisionIds(sql) : undefined;
  }

  /**
   * Records an attempt's decision: a first one inserts, a later attempt of the same event replaces
   * the record and counts the attempt (keeping when it was received). A schedule run's step adds
   * to the run's record. `attempts` of the record says whether this counts as an attempt (0: an
   * ignored or duplicate delivery).
   */
  record(input: DecisionInput, options: { firstAttempt?: boolean } = {}): void {
    this.write([{ kind: 'record', record: input, firstAttempt: options.firstAttempt ?? false }]);
  }

  /**
   * Sets the outcome of an event's record after its attempt: `retrying` or `dead_letter` with the
   * reason. An event that has no record yet (a payload no version could read, kept as a dead letter
   * when it arrived) gets a short one.
   */
  settle(id: string, outcome: DecisionOutcome, reason: string, projectId?: number): void {
    this.write([{ kind: 'settle', id, outcome, reason, projectId }]);
  }

  /**
   * Records and settles, in order; the JSON of the records goes in one batch row. Records are turned
   * into JSON here, one after the other, rather than each as it is made: about half as dear.
   */
  write(operations: readonly DecisionWrite[]): void {
    const newest = this.first<{ seq: number | null; batch: number | null }>('SELECT (SELECT MAX(seq) FROM decision_rows) AS seq, (SELECT MAX(batch) FROM decision_batches) AS batch')!;
    this.ids?.catchUp(newest.seq ?? 0);
    const batch = { id: (newest.batch ?? 0) + 1, lines: [] as string[] };
    for (const operation of operations) {
      if (operation.kind === 'record') this.writeRecord(operation.record, operation.firstAttempt, batch);
      else this.writeSettle(operation, batch);
    }
    if (batch.lines.length > 0) this.sql.run('INSERT INTO decision_batches (batch, records) VALUES (?, ?)', batch.id, batch.lines.join('\n'));
  }

  has(id: string): boolean {
    this.ids?.catchUp();
    return this.locate(id) !== undefined;
  }

  decision(id: string): DecisionRecord | undefined {
    this.ids?.catchUp();
    const row = this.locate(id);
    return row && new BatchReader(this.sql).record(row);
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
      `SELECT ${ROW} FROM decision_rows
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`,
      ...params,
      query.limit + 1,
    );
    const page = rows.slice(0, query.limit);
    const reader = new BatchReader(this.sql);
    return { records: page.map((row) => reader.record(row)), next_before: rows.length > query.limit ? String(page.at(-1)!.seq) : null };
  }

  /**
   * Drops records older than the retention window, then the oldest beyond the most kept; at most
   * 5,000 rows of each per call; once nothing more is left, the batches no record is left in.
   * Returns whether more is left to drop (call again soon).
   */
  prune(): boolean {
    const expired = this.now() - this.limits.retentionMs;
    // Looked for among the oldest rows only, not in every row: rows come in the order events are
    // received, but for an event recorded late (resumed after a restart), never a retention window late.
    const old = this.first<{ last: number | null; n: number }>(
      'SELECT MAX(seq) AS last, COUNT(*) AS n FROM (SELECT seq, received_at FROM decision_rows ORDER BY seq LIMIT ?) WHERE received_at < ?',
      PRUNE_CHUNK,
      expired,
    )!;
    if (old.last !== null) this.sql.run('DELETE FROM decision_rows WHERE seq <= ? AND received_at < ?', old.last, expired);
    // The newest record beyond the limit: it and everything older go.
    const cut = this.first<{ seq: number }>('SELECT seq FROM decision_rows ORDER BY seq DESC LIMIT 1 OFFSET ?', this.limits.max);
    let over = false;
    if (cut) {
      const oldest = this.first<{ seq: number }>('SELECT MIN(seq) AS seq FROM decision_rows')!.seq;
      const upTo = Math.min(cut.seq, oldest + PRUNE_CHUNK - 1);
      this.sql.run('DELETE FROM decision_rows WHERE seq <= ?', upTo);
      over = upTo < cut.seq;
    }
    this.ids?.pruned();
    const more = old.n === PRUNE_CHUNK || over;
    if (!more) this.dropUnusedBatches();
    return more;
  }

  /**
   * A retried event's record moves to a later batch: a batch goes once no row is left in it or
   * before it. Once per pruning (every row is read to know), after its last chunk.
   */
  private dropUnusedBatches(): void {
    const kept = this.first<{ batch: number | null }>('SELECT MIN(batch) AS batch FROM decision_rows')!.batch;
    if (kept === null) this.sql.run('DELETE FROM decision_batches');
    else this.sql.run('DELETE FROM decision_batches WHERE batch < ?', kept);
  }

  /** Records kept now. */
  count(): number {
    return this.first<{ n: number }>('SELECT COUNT(*) AS n FROM decision_rows')!.n;
  }

  private writeRecord(input: DecisionInput, firstAttempt: boolean, batch: { id: number; lines: string[] }): void {
    let record = boundRecord(input);
    const hash = idHash(record.id);
    const earlier = firstAttempt ? undefined : this.locate(record.id, hash);
    if (earlier) {
      const before = this.readPending(earlier, batch);
      if (record.schedule) {
        if (before.schedule) record = boundRecord(mergeScheduleRecords(before, record));
      } else if (before.calls.length + before.calls_omitted > 0) {
        // A later attempt keeps the calls of the earlier ones: the refused call that made a dead letter
        // stays listed after the letter is put back and done.
        record = boundRecord({ ...record, calls: [...before.calls, ...record.calls], calls_omitted: before.calls_omitted + record.calls_omitted });
      }
    }
    const slot = batch.lines.push(compactJson(record)) - 1;
    // The rules between newlines, so that `instr` finds a whole name: `\ndocs\n` is not inside `\ndocs label\n`.
    let names = '\n';
    for (const rule of record.rules) names += `${rule.name}\n`;
    if (record.schedule) names += `${record.schedule.rule}\n`;
    const { project, subject } = record;
    const columns = [record.finished_at, project?.path ?? null, project?.id ?? null, subject?.kind ?? null, subject?.iid ?? null, record.event, record.outcome, record.reason, names, batch.id, slot];
    if (earlier) {
      this.sql.run(
        `UPDATE decision_rows SET finished_at = ?, project = ?, project_id = ?, subject_kind = ?, iid = ?, event = ?, outcome = ?, reason = ?, rules = ?,
         batch = ?, slot = ?, attempts = attempts + ? WHERE seq = ?`,
        ...columns, record.attempts, earlier.seq,
      );
      return;
    }
    this.sql.run(
      `INSERT INTO decision_rows (finished_at, project, project_id, subject_kind, iid, event, outcome, reason, rules, batch, slot, id, id_hash, received_at, attempts, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ...columns, record.id, hash, record.received_at, record.attempts, this.ids?.add(hash) ?? null,
    );
  }

  private writeSettle(settle: Extract<DecisionWrite, { kind: 'settle' }>, batch: { id: number; lines: string[] }): void {
    const { id, outcome, projectId } = settle;
    const now = this.now();
    const reason = clip(settle.reason, 500);
    const earlier = this.locate(id);
    if (earlier) {
      this.sql.run('UPDATE decision_rows SET outcome = ?, reason = ?, finished_at = ? WHERE seq = ?', outcome, reason, now, earlier.seq);
      return;
    }
    const record = bareRecord({
      id, event: 'unknown', event_uuid: null, project: projectId ? { id: projectId, path: String(projectId) } : null, subject: null, user: null,
      outcome, reason, received_at: now, finished_at: now,
    });
    this.writeRecord(record, true, batch);
  }

  /** A record written earlier, possibly in the batch being written. */
  private readPending(row: Row, batch: { id: number; lines: string[] }): DecisionRecord {
    return row.batch === batch.id ? toRecord(row, batch.lines[row.slot]!) : new BatchReader(this.sql).record(row);
  }

  /** The row of an event's record; with ids in memory, the caller has caught up first. */
  private locate(id: string, hash = idHash(id)): Row | undefined {
    if (this.ids) {
      const seq = this.ids.find(hash);
      if (seq === undefined) return undefined;
      const row = this.first<Row>(`SELECT ${ROW} FROM decision_rows WHERE seq = ?`, seq);
      if (row?.id === id) return row;
      // Another id with the same hash, or a row pruned since: every row is looked at (no index).
    }
    return this.first<Row>(`SELECT ${ROW} FROM decision_rows WHERE id_hash = ? AND id = ?`, hash, id);
  }

  private first<T>(sql: string, ...params: SqlValue[]): T | undefined {
    return this.sql.all<T>(sql, ...params)[0];
  }
}

/** Reads records' JSON from their batches, each batch read and split once. */
class BatchReader {
  private readonly batches = new Map<number, string[]>();

  constructor(private readonly sql: SqlDriver) {}

  record(row: Row): DecisionRecord {
    let lines = this.batches.get(row.batch);
    if (!lines) {
      const found = this.sql.all<{ records: string }>('SELECT records FROM decision_batches WHERE batch = ?', row.batch)[0];
      this.batches.set(row.batch, (lines = found ? found.records.split('\n') : []));
    }
    return toRecord(row, lines[row.slot] ?? '{}');
  }
}

/**
 * A 53-bit hash of an event id (two 32-bit FNV-1a passes): ids are random (UUIDs), and an index of
 * small integers costs each insert less than one of the ids themselves. Lookups compare the id too.
 */
export function idHash(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    a = Math.imul(a ^ code, 16777619);
    b = Math.imul(b ^ code, 2246822507);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecisionInput } from '../../store/decision-record.js';
import { idHash } from '../../store/decision-tables.js';
import { SqliteDecisions } from './sqlite-decisions.js';

let dir: string | undefined;
let decisions: SqliteDecisions | undefined;
afterEach(async () => {
  decisions?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  decisions = undefined;
  dir = undefined;
});

let clock = Date.parse('2024-05-01T10:00:00Z');
const now = () => clock;

function record(id: string, options: Partial<DecisionInput> = {}): DecisionInput {
  return {
    id, event: 'merge_request.open', event_uuid: null, project: { id: 1, path: 'group/app' },
    subject: { kind: 'merge_request', iid: 42, title: 'Fix', url: 'https://gitlab.example/group/app/-/merge_requests/42' },
    user: { id: 1, username: 'alice' }, outcome: 'done', reason: null, received_at: clock, finished_at: clock,
    attempts: 1, dry_run: false, rules_omitted: 0, commands: [], calls: [], calls_omitted: 0, planned: [], warnings: [], schedule: null,
    rules: [{ name: 'docs', source: 'rules/a.yml:2', fired: true, reason: null, condition: null, expected: null, found: null, undecided: false }],
    ...options,
  };
}

/** decisions.sqlite as versions before batches wrote it: one row per record, its JSON in `record`. */
function writeOneRowPerRecordLayout(file: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE decisions (
      seq INTEGER PRIMARY KEY, id TEXT NOT NULL, id_hash INTEGER NOT NULL, received_at INTEGER NOT NULL, finished_at INTEGER, attempts INTEGER NOT NULL,
      project TEXT, project_id INTEGER, subject_kind TEXT, iid INTEGER, event TEXT NOT NULL, outcome TEXT NOT NULL, reason TEXT, rules TEXT NOT NULL, record TEXT NOT NULL
    );
    CREATE INDEX decisions_subject ON decisions (project, iid);
    CREATE INDEX decisions_id ON decisions (id_hash);
  `);
  const insert = db.prepare(
    `INSERT INTO decisions (id, id_hash, received_at, finished_at, attempts, project, project_id, subject_kind, iid, event, outcome, reason, rules, record)
     VALUES (?, ?, ?, ?, 1, 'group/app', 1, 'merge_request', 42, 'merge_request.open', ?, ?, ?, ?)`,
  );
  const json = '{"event":"merge_request.open","project":{"id":1,"path":"group/app"},"subject":{"kind":"merge_request","iid":42,"title":"Old","url":"u"},' +
    '"rules":[{"name":"docs","source":"rules/a.yml:2","condition":"title","expected":"a title containing \\"docs\\"","found":"the title is \\"Old\\""}]}';
  insert.run('old-1', idHash('old-1'), clock - 2000, clock - 2000, 'done', null, '\ndocs\n', json);
  insert.run('old-2', idHash('old-2'), clock - 1000, clock - 1000, 'retrying', 'GET /x: 502', '\ndocs\n', json);
  db.close();
}

describe('decision records in decisions.sqlite', () => {
  it('keep the records of the layout before batches, readable, filtered and updated as new ones', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rulebot-decisions-'));
    writeOneRowPerRecordLayout(join(dir, 'decisions.sqlite'));
    decisions = new SqliteDecisions(dir, { now });
    decisions.record(record('new'), true);

    expect(decisions.decisions({ limit: 10 }).records.map((r) => r.id)).toEqual(['new', 'old-2', 'old-1']);
    expect(decisions.decision('old-1')).toMatchObject({
      outcome: 'done', attempts: 1, received_at: new Date(clock - 2000).toISOString(), subject: { title: 'Old' },
      rules: [{ name: 'docs', fired: false, reason: 'title: the title is "Old"' }],
    });
    expect(decisions.decisions({ limit: 10, outcome: 'retrying' }).records).toEqual([expect.objectContaining({ id: 'old-2', reason: 'GET /x: 502' })]);
    decisions.settle('old-2', 'dead_letter', 'PUT /y: 403');
    decisions.record(record('old-1', { subject: { kind: 'merge_request', iid: 42, title: 'Again', url: 'u' } }), false);
    expect(decisions.decision('old-2')).toMatchObject({ outcome: 'dead_letter', reason: 'PUT /y: 403' });
    expect(decisions.decision('old-1')).toMatchObject({ attempts: 2, subject: { title: 'Again' }, received_at: new Date(clock - 2000).toISOString() });
  });

  it('read an event recorded, settled and recorded again within one batch as its last attempt left it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rulebot-decisions-'));
    decisions = new SqliteDecisions(dir, { now });
    decisions.record(record('a', { outcome: 'retrying' }), true);
    decisions.settle('a', 'retrying', 'GET /x: 502');
    decisions.record(record('b'), true);
    decisions.record(record('a', { subject: { kind: 'merge_request', iid: 42, title: 'Second', url: 'u' } }), false);
    expect(decisions.decisions({ limit: 10 }).records.map((r) => [r.id, r.outcome, r.attempts, r.subject?.title])).toEqual([
      ['b', 'done', 1, 'Fix'],
      ['a', 'done', 2, 'Second'],
    ]);
  });

  it('find the records another process wrote (the command line putting a dead letter back)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rulebot-decisions-'));
    decisions = new SqliteDecisions(dir, { now });
    decisions.record(record('before'), true);
    decisions.decision('before');
    const other = new SqliteDecisions(dir, { now });
    other.settle('unreadable', 'retrying', 'put back from the dead letters');
    other.settle('before', 'retrying', 'put back from the dead letters');
    other.close();
    decisions.record(record('unreadable'), false);
    decisions.record(record('before'), false);
    expect(decisions.decisions({ limit: 10 }).records.map((r) => [r.id, r.outcome, r.attempts])).toEqual([
      ['unreadable', 'done', 1],
      ['before', 'done', 2],
    ]);
  });

  it('drop the batches no record is left in', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rulebot-decisions-'));
    decisions = new SqliteDecisions(dir, { now, limits: { retentionMs: 3_600_000, max: 2 } });
    for (const id of ['a', 'b', 'c']) {
      decisions.record(record(id), true);
      decisions.decisions({ limit: 1 }); // reads write what is pending: one batch per record here
    }
    decisions.record(record('a', { outcome: 'done' }), false);
    await decisions.prune();
    expect(decisions.decisions({ limit: 10 }).records.map((r) => r.id)).toEqual(['c', 'b']);
    clock += 2 * 3_600_000;
    await decisions.prune();
    decisions.close();
    const db = new Database(join(dir, 'decisions.sqlite'), { readonly: true });
    expect(db.prepare('SELECT COUNT(*) AS n FROM decision_batches').get()).toEqual({ n: 0 });
    db.close();
  });
});

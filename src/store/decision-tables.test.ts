import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../runtime/node/sqlite-store.js';
import type { DecisionInput } from './decision-record.js';
import { MemoryStore } from './memory-store.js';
import type { Store, StoredJob } from './store.js';

let dir: string | undefined;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
  store = undefined;
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

const job = (id: string): StoredJob => ({ id, project_id: 7, payload: '{}', event_uuid: undefined, received_at: clock, attempts: 0, next_attempt_at: clock, last_error: undefined });

const STORES: { name: string; open: (limits?: { retentionMs: number; max: number }) => Promise<Store> }[] = [
  {
    name: 'SQLite',
    open: async (limits) => {
      dir = await mkdtemp(join(tmpdir(), 'rulebot-decisions-'));
      return new SqliteStore(dir, { now, ...(limits && { decisions: limits }) });
    },
  },
  { name: 'memory', open: async (limits) => new MemoryStore({ now, ...(limits && { decisions: limits }) }) },
];

describe.each(STORES)('decision records in the $name store', ({ open }) => {
  it('are read back newest first, filtered by project, iid, rule and outcome, and paged', async () => {
    store = await open();
    for (let i = 1; i <= 5; i++) await store.recordDecision(record(`e${i}`, { subject: { kind: 'merge_request', iid: i % 2 === 0 ? 42 : 7, title: `t${i}`, url: '' } }));
    await store.recordDecision(record('other', { project: { id: 2, path: 'group/other' }, outcome: 'ignored', reason: 'a job event', rules: [] }));

    const all = await store.decisions({ limit: 4 });
    expect(all.records.map((r) => r.id)).toEqual(['other', 'e5', 'e4', 'e3']);
    const rest = await store.decisions({ limit: 4, before: all.next_before! });
    expect(rest).toEqual({ records: [expect.objectContaining({ id: 'e2' }), expect.objectContaining({ id: 'e1' })], next_before: null });

    expect((await store.decisions({ limit: 10, project: 'group/app', iid: 42 })).records.map((r) => r.id)).toEqual(['e4', 'e2']);
    expect((await store.decisions({ limit: 10, project: '2' })).records.map((r) => r.id)).toEqual(['other']);
    expect((await store.decisions({ limit: 10, outcome: 'ignored' })).records).toEqual([expect.objectContaining({ id: 'other', reason: 'a job event' })]);
    expect((await store.decisions({ limit: 10, rule: 'doc' })).records).toEqual([]);
    expect((await store.decisions({ limit: 10, rule: 'docs' })).records).toHaveLength(5);
  });

  it('count the attempts of an event, keep when it was received, and follow it to a retry, a dead letter and back', async () => {
    store = await open();
    const received = new Date(clock).toISOString();
    await store.acceptDelivery('k', job('e1'));
    await store.recordDecision(record('e1', { outcome: 'retrying' }));
    await store.retryJobLater('e1', clock + 1000, 'GET /x: 502 Bad Gateway', clock);
    expect(await store.decision('e1')).toMatchObject({ outcome: 'retrying', reason: 'GET /x: 502 Bad Gateway', attempts: 1 });

    clock += 60_000;
    await store.recordDecision(record('e1', { outcome: 'retrying' }));
    await store.deadLetter('e1', 'PUT /y: 403 Forbidden', { attempts: 2, first_attempt_at: undefined });
    expect(await store.decision('e1')).toMatchObject({ outcome: 'dead_letter', reason: 'PUT /y: 403 Forbidden', attempts: 2, received_at: received });

    await store.reviveDeadLetter('e1');
    expect(await store.decision('e1')).toMatchObject({ outcome: 'retrying', reason: 'put back from the dead letters' });
    await store.recordDecision(record('e1'));
    expect(await store.decision('e1')).toMatchObject({ outcome: 'done', reason: null, attempts: 3, received_at: received });
  });

  it('give a dead letter that never ran a short record naming it', async () => {
    store = await open();
    await store.acceptDelivery(undefined, job('unreadable'));
    await store.deadLetter('unreadable', 'unreadable_payload: object_attributes.iid: expected a positive whole number', { attempts: 0, first_attempt_at: undefined });
    expect(await store.decision('unreadable')).toMatchObject({ outcome: 'dead_letter', event: 'unknown', attempts: 0, reason: expect.stringContaining('object_attributes.iid') });
  });

  it('read back every kind of verdict as it was written', async () => {
    store = await open();
    const verdict = (name: string, parts: Partial<DecisionInput['rules'][number]>) => ({
      name, source: `rules/a.yml:${name.length}`, fired: false, reason: null, condition: null, expected: null, found: null, undecided: false, ...parts,
    });
    const rules = [
      verdict('fired', { fired: true }),
      verdict('failed', { reason: 'labels.none: found "backport"', condition: 'labels.none', expected: 'no label matching backport', found: 'found "backport"' }),
      verdict('waiting', { reason: 'author: could not be decided: GET /users/51: 404 Not Found', condition: 'author', expected: 'an author among bot', found: 'GET /users/51: 404 Not Found', undecided: true }),
      verdict('cut short', { reason: 'not decided: the attempt failed first (GET /x: 502)', undecided: true }),
    ];
    await store.recordDecision(record('kinds', { rules, calls: [{ method: 'POST', path: '/x', status: 0, duration_ms: 0, retries: 2 }], dry_run: true }));
    const read = (await store.decision('kinds'))!;
    expect(read.rules).toEqual(rules);
    expect(read.calls).toEqual([{ method: 'POST', path: '/x', status: 0, duration_ms: 0, retries: 2 }]);
    expect(read).toMatchObject({ dry_run: true, commands: [], warnings: [], schedule: null, event_uuid: null });
  });

  it('keep every text short, whatever users and GitLab wrote', async () => {
    store = await open();
    const long = 'x'.repeat(10_000);
    const calls = Array.from({ length: 150 }, () => ({ method: 'GET', path: `/${long}`, status: 200, duration_ms: 1, retries: 0 }));
    await store.recordDecision(record('big', { subject: { kind: 'issue', iid: 1, title: long, url: '' }, reason: long, calls }));
    const read = (await store.decision('big'))!;
    expect(read.subject!.title).toHaveLength(200);
    expect(read.subject!.title.endsWith('…')).toBe(true);
    expect(read.reason).toHaveLength(500);
    expect(read.calls).toHaveLength(100);
    expect(read.calls_omitted).toBe(50);
    expect(JSON.stringify(read).length).toBeLessThan(40_000);
  });

  it('add the steps of one schedule run together', async () => {
    store = await open();
    const step = (acted: number, iid: number): DecisionInput =>
      record('schedule:stale:1', {
        event: 'schedule', subject: null, rules: [], outcome: 'running',
        schedule: { rule: 'stale', scanned: 5, matched: acted, acted, api_calls: 2, errors: 0, items: [{ project: 'g/a', iid, title: 'old', url: '', calls: ['PUT /x'] }], problems: [],
          summaries: [{ project: 'g/a', title: 'Stale', url: `https://gitlab.example.com/g/a/-/issues/${iid + 100}` }] },
      });
    await store.recordDecision(step(1, 3));
    await store.recordDecision({ ...step(2, 9), outcome: 'done' });
    const run = (await store.decision('schedule:stale:1'))!;
    expect(run).toMatchObject({ outcome: 'done', attempts: 2, schedule: { scanned: 10, acted: 3, api_calls: 4 } });
    expect(run.schedule!.items.map((item) => item.iid)).toEqual([3, 9]);
    // Each step opened its own summary issue (Workers): both are kept.
    expect(run.schedule!.summaries.map((summary) => summary.url.split('/').at(-1))).toEqual(['103', '109']);
    expect((await store.decisions({ limit: 5, rule: 'stale' })).records).toHaveLength(1);
  });

  it('drop records past the retention window and beyond the most kept', async () => {
    store = await open({ retentionMs: 3_600_000, max: 3 });
    await store.recordDecision(record('old'));
    clock += 2 * 3_600_000;
    for (const id of ['a', 'b', 'c', 'd']) await store.recordDecision(record(id));
    if (store instanceof SqliteStore) await store.pruneDecisions();
    expect((await store.decisions({ limit: 10 })).records.map((r) => r.id)).toEqual(['d', 'c', 'b']);
  });
});

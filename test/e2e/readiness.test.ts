// /readyz tells the truth about the store: a store that can be read but not written makes it 503, until writes work again.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { mergeRequestPayload, WELCOME_RULES, withoutMarker } from '../support/events.js';
import { BOT, startHarness, type NodeHarness } from '../support/harness.js';
import { SqliteStore } from '../../src/runtime/node/sqlite-store.js';

let h: NodeHarness;
/** The server's store, opened in this thread (not on a thread of its own) so that the test can fill its disk. */
let store: SqliteStore;
beforeEach(async () => {
  h = await startHarness({ rules: { 'welcome.yml': WELCOME_RULES }, openStore: (dir, options) => (store = new SqliteStore(dir, options)) });
  h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  for (const iid of [1, 2]) h.gitlab.addMergeRequest({ project_id: 1, iid, labels: [] });
});
afterEach(async () => {
  vi.useRealTimers();
  await h.close();
});

async function readyz(): Promise<{ status: number; body: any }> {
  const response = await h.fetch('/readyz');
  return { status: response.status, body: await response.json() };
}

/**
 * The disk fills up: the database may not grow any more (SQLite's `max_page_count`, on the server's
 * own connection) and its free pages are used up, so every write that needs room fails with
 * SQLITE_FULL while reads go on working. Returns how to free the disk again.
 */
function fillDisk(store: SqliteStore): () => void {
  const db = store['db'];
  db.exec('CREATE TABLE IF NOT EXISTS filler (pad BLOB NOT NULL)');
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  const insert = db.prepare('INSERT INTO filler (pad) VALUES (zeroblob(512))');
  expect(() => {
    for (;;) insert.run();
  }).toThrow(expect.objectContaining({ code: 'SQLITE_FULL' }));
  return () => void db.pragma('max_page_count = 1073741823');
}

it('answers 503 naming the store while the store cannot write, and 200 again once it can', async () => {
  expect(await readyz()).toMatchObject({ status: 200, body: { status: 'ready', checks: { store: true } } });

  const freeDisk = fillDisk(store);
  // What GitLab sees: its delivery cannot be stored, so it is not acknowledged.
  expect((await h.post(mergeRequestPayload({ iid: 1, labels: [] }))).status).toBe(500);
  expect(await readyz()).toEqual({
    status: 503,
    body: { status: 'not ready', checks: { store: false, rules: 1, gitlab: true, accepting: true } },
  });
  // The store still reads: the status page answers.
  expect((await h.status()).queue.depth).toBe(0);

  freeDisk();
  expect(await readyz()).toMatchObject({ status: 200, body: { checks: { store: true } } });
  expect((await h.post(mergeRequestPayload({ iid: 2, labels: [] }))).status).toBe(202);
  await h.settle();
  const comments = h.gitlab.notes(1, 'MergeRequest', 2).filter((note) => note.author_id === BOT.id).map((note) => withoutMarker(note.body));
  expect(comments).toEqual(['Thanks for !2.']);
});

it('probes with a write at most every 5 s, and so notices a full store even when no delivery failed', async () => {
  expect((await readyz()).status).toBe(200);
  const freeDisk = fillDisk(store);
  // The probe that just succeeded is trusted for 5 s: no write is tried meanwhile.
  expect((await readyz()).status).toBe(200);
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + 5_001);
  expect(await readyz()).toMatchObject({ status: 503, body: { checks: { store: false } } });
  freeDisk();
  expect((await readyz()).status).toBe(200);
});

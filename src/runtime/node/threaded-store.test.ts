import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredJob } from '../../store/index.js';
import { SqliteStore } from './sqlite-store.js';
import { openThreadedStore, type ThreadedStore } from './threaded-store.js';

const job = (id: string, at = 1_000): StoredJob => ({
  id, project_id: 1, payload: `{"object_kind":"merge_request","id":"${id}"}`, event_uuid: undefined,
  received_at: at, attempts: 0, next_attempt_at: at, last_error: undefined,
});

/** What another connection reads from the file: only what was committed. */
async function committedJobIds(dir: string): Promise<string[]> {
  const reader = new SqliteStore(dir);
  try {
    return await reader.unfinishedJobIds();
  } finally {
    await reader.close();
  }
}

let dir: string;
let store: ThreadedStore | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rulebot-threaded-store-'));
});
afterEach(async () => {
  await store?.close();
  store = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('ThreadedStore', () => {
  it('answers each call once it is committed, in the order of the calls, a repeated delivery key refused', async () => {
    store = await openThreadedStore(dir);
    const answered: string[] = [];
    const accept = (key: string, id: string) => store!.acceptDelivery(key, job(id)).then((accepted) => (answered.push(id), accepted));
    const results = await Promise.all([accept('key-a', 'a'), accept('key-b', 'b'), accept('key-a', 'a-again'), accept('key-c', 'c')]);

    expect(results).toEqual([true, true, false, true]);
    expect(answered).toEqual(['a', 'b', 'a-again', 'c']);
    expect(await committedJobIds(dir)).toEqual(['a', 'b', 'c']);
    await store.finishJob('b');
    expect(await committedJobIds(dir)).toEqual(['a', 'c']);
    expect(await store.job('c')).toEqual(job('c'));
  });

  it("keeps time by the caller's clock", async () => {
    let now = 1_000;
    store = await openThreadedStore(dir, { now: () => now, retentionMs: 1_000 });
    expect(await store.acceptDelivery('key-a', job('a'))).toBe(true);
    now = 1_900;
    expect(await store.acceptDelivery('key-a', job('a-again'))).toBe(false);
    // Past the retention window by the caller's clock (the thread's own would say a few ms have passed).
    now = 2_100;
    expect(await store.acceptDelivery('key-a', job('a-later'))).toBe(true);
    await store.deadLetter('a', 'refused', { attempts: 1, first_attempt_at: 1_500 });
    expect((await store.deadLetters()).map((letter) => letter.failed_at)).toEqual([2_100]);
  });

  it("rejects a call that fails with SQLite's error and code, and goes on serving", async () => {
    store = await openThreadedStore(dir);
    await store.acceptDelivery('key-a', job('a'));
    // A second job under the same id, with another delivery key: the jobs table refuses it.
    await expect(store.acceptDelivery('key-b', job('a'))).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE', message: expect.stringContaining('UNIQUE') });
    expect(await store.unfinishedJobIds()).toEqual(['a']);
  });

  it('says why it cannot open, with the error code (DATA_DIR a file)', async () => {
    const file = join(dir, 'not-a-directory');
    await writeFile(file, '');
    await expect(openThreadedStore(join(file, 'data'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('commits what is pending when closed; a call made after that never settles', async () => {
    store = await openThreadedStore(dir);
    expect(await store.writable()).toBe(true);
    const accepted = store.acceptDelivery('key-a', job('a'));
    await store.close();
    expect(await accepted).toBe(true);
    expect(await committedJobIds(dir)).toEqual(['a']);

    const late = store.job('a').then(() => 'settled');
    for (let turn = 0; turn < 5; turn++) await nextTurn();
    expect(await Promise.race([late, 'pending'])).toBe('pending');
    expect(await store.writable()).toBe(false);
  });
});

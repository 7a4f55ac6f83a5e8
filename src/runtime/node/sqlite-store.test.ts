import { mkdtemp, rm } from 'node:fs/promises';
import { fdatasync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredJob } from '../../store/store.js';
import { SqliteStore } from './sqlite-store.js';

let dir: string | undefined;
let store: SqliteStore | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  store = undefined;
  dir = undefined;
});

const job = (id: string): StoredJob => ({
  id, project_id: 1, payload: '{"object_kind":"merge_request"}', event_uuid: undefined, received_at: 1, attempts: 0, next_attempt_at: 1, last_error: undefined,
});

type Done = (error: NodeJS.ErrnoException | null) => void;

/** A disk whose flushes wait until the test lets them end, counting them. */
function heldDisk() {
  const waiting: (() => void)[] = [];
  return {
    flushes: 0,
    waiting,
    fdatasync(this: { flushes: number }, fd: number, done: Done) {
      this.flushes++;
      waiting.push(() => fdatasync(fd, done));
    },
    release() {
      for (const end of waiting.splice(0)) end();
    },
  };
}

const settled = async (promise: Promise<unknown>) => {
  let state = 'pending';
  promise.then(() => (state = 'resolved'), () => (state = 'rejected'));
  await new Promise((resolve) => setTimeout(resolve, 20));
  return state;
};

describe('SqliteStore durability', () => {
  it('resolves a write only once the WAL is flushed, and commits the writes made meanwhile together after it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rulebot-store-'));
    const disk = heldDisk();
    store = new SqliteStore(dir, { fdatasync: (fd, done) => disk.fdatasync(fd, done) });

    const first = store.acceptDelivery('a', job('a'));
    expect(await settled(first)).toBe('pending');
    expect(disk.flushes).toBe(1);
    // Committed (a read sees it) but not yet on disk for sure: its caller has not been answered.
    expect((await store.job('a'))?.id).toBe('a');

    const during = [store.acceptDelivery('b', job('b')), store.acceptDelivery('c', job('c')), store.finishJob('a')];
    expect(await settled(Promise.all(during))).toBe('pending');
    expect(disk.flushes).toBe(1);

    disk.release();
    expect(await first).toBe(true);
    // The three writes made during the first flush share the next commit and its one flush.
    expect(await settled(Promise.all(during))).toBe('pending');
    expect(disk.flushes).toBe(2);
    disk.release();
    expect(await Promise.all(during)).toEqual([true, true, undefined]);
    expect((await store.job('a'))).toBeUndefined();
    expect((await store.job('b'))?.id).toBe('b');
  });

  it('lists an unfinished job only after the write that accepted it resolved, so that it is not queued twice', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rulebot-store-'));
    const disk = heldDisk();
    store = new SqliteStore(dir, { fdatasync: (fd, done) => disk.fdatasync(fd, done) });
    const order: string[] = [];
    const accepted = store.acceptDelivery('a', job('a')).then(() => order.push('accepted a'));
    const listed = store.unfinishedJobIds().then((ids) => order.push(`listed ${ids.join(',')}`));
    expect(await settled(listed)).toBe('pending');
    while (disk.waiting.length > 0 || order.length < 2) {
      disk.release();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all([accepted, listed]);
    expect(order).toEqual(['accepted a', 'listed a']);
  });

  it('refuses the writes of a failed flush and every later one, and says it is not writable', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rulebot-store-'));
    store = new SqliteStore(dir, {
      fdatasync: (_fd, done) => setImmediate(() => done(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }))),
    });
    expect(await store.writable()).toBe(true);

    const message = 'the store could not flush its writes to disk (EIO: i/o error, fdatasync): restart rulebot once the disk is sound';
    await expect(store.acceptDelivery('a', job('a'))).rejects.toThrow(message);
    await expect(store.acceptDelivery('b', job('b'))).rejects.toThrow(message);
    expect(await store.writable()).toBe(false);
  });

  it('keeps every acknowledged write across a reopen, flushing what is left when it closes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rulebot-store-'));
    const first = new SqliteStore(dir);
    const writes = Array.from({ length: 50 }, (_, i) => first.acceptDelivery(`k${i}`, job(`j${i}`)));
    await first.close();
    expect(await Promise.all(writes)).toEqual(Array(50).fill(true));
    store = new SqliteStore(dir);
    expect(await store.unfinishedJobIds()).toHaveLength(50);
  });
});

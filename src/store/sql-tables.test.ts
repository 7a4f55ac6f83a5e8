import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../runtime/node/sqlite-store.js';
import type { StoredJob } from './store.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const job = (id: string, payload: string): StoredJob => ({
  id, project_id: 1, payload, event_uuid: undefined, received_at: 1, attempts: 0, next_attempt_at: 1, last_error: undefined,
});

describe('the store tables', () => {
  it('keeps a payload of several MB whole through accepting, dead letters and reviving', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rulebot-store-'));
    const store = new SqliteStore(dir);
    // Emoji are two UTF-16 units: here each 400,000-character boundary between parts falls inside one.
    const payload = JSON.stringify({ object_kind: 'merge_request', description: 'xxx' + 'ü€😀'.repeat(350_001) });
    expect(await store.acceptDelivery('key', job('big', payload))).toBe(true);
    expect((await store.job('big'))?.payload).toBe(payload);

    await store.deadLetter('big', 'refused');
    expect(await store.job('big')).toBeUndefined();
    expect((await store.deadLetters()).map((letter) => letter.job.payload)).toEqual([payload]);

    // The same delivery again, long after its key expired: a job with the same id comes and goes.
    const again = JSON.stringify({ object_kind: 'merge_request', description: 'z'.repeat(900_000) });
    expect(await store.acceptDelivery('another-key', job('big', again))).toBe(true);
    expect(await store.reviveDeadLetter('big')).toBeUndefined();
    await store.finishJob('big');
    expect((await store.deadLetters()).map((letter) => letter.job.payload)).toEqual([payload]);

    expect((await store.reviveDeadLetter('big'))?.payload).toBe(payload);
    expect((await store.job('big'))?.payload).toBe(payload);
    await store.finishJob('big');
    expect(await store.job('big')).toBeUndefined();
    await store.close();
  });

  it('lets one attempt of a job run at a time, and counts an attempt begun before as a retry', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rulebot-store-'));
    const { StoreTables } = await import('./sql-tables.js');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'tables.sqlite'));
    const tables = new StoreTables(
      { exec: (sql) => void db.exec(sql), all: (sql, ...params) => db.prepare(sql).all(...params) as never, run: (sql, ...params) => void db.prepare(sql).run(...params) },
      60_000,
      () => 1_000,
    );
    tables.acceptDelivery('k', job('j', '{}'));
    expect(tables.beginAttempt('j', 1_000, 500)).toMatchObject({ state: 'run', retrying: false });
    expect(tables.beginAttempt('j', 1_200, 500)).toEqual({ state: 'busy', retryInMs: 300 });
    // Nobody else runs it once the lease ran out (a consumer that died): the next attempt is a retry.
    expect(tables.beginAttempt('j', 1_600, 500)).toMatchObject({ state: 'run', retrying: true });
    expect(tables.claimOverdue(10_000, 1_700, 10)).toEqual([]);
    tables.releaseAttempt('j');
    expect(tables.claimOverdue(10_000, 1_700, 10)).toEqual(['j']);
    // Handed out once: it is due again only from now on.
    expect(tables.claimOverdue(1_700, 1_800, 10)).toEqual([]);
    tables.finishJob('j');
    expect(tables.beginAttempt('j', 2_000, 500)).toEqual({ state: 'gone' });

    // Attempts that begin and are never heard of again (a consumer stopped by a limit): after five, the job is stuck.
    tables.acceptDelivery('k2', job('s', '{}'));
    for (let i = 0; i < 5; i++) expect(tables.beginAttempt('s', 10_000 + i * 1_000, 500)).toMatchObject({ state: 'run' });
    expect(tables.beginAttempt('s', 20_000, 500)).toEqual({ state: 'stuck', begun: 5 });

    // One that failed and said so counts as ended; its next attempt waits for the back-off.
    tables.retryJobLater('s', 30_000, 'GitLab answered 502');
    expect(tables.beginAttempt('s', 21_000, 500)).toEqual({ state: 'busy', retryInMs: 9_000 });
    expect(tables.beginAttempt('s', 30_000, 500)).toMatchObject({ state: 'run', retrying: true });
    // Taken back (the store failed under it), an attempt does not count as stopped either.
    tables.abandonAttempt('s');
    expect(tables.beginAttempt('s', 31_000, 500)).toMatchObject({ state: 'run' });
    db.close();
  });
});

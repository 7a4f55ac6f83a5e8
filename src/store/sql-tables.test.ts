import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../runtime/node/sqlite-store.js';
import { SCHEMA } from './sql-tables.js';
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

    await store.deadLetter('big', 'refused', { attempts: 1, first_attempt_at: 5 });
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

  it('counts the attempts of a dead letter, and puts it back with none and a fresh window, keeping when its first attempt began', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rulebot-store-'));
    let now = 1_000;
    const store = new SqliteStore(dir, { now: () => now });
    await store.acceptDelivery('key', { ...job('j', '{}'), received_at: 1_000 });
    await store.retryJobLater('j', 2_000, 'GitLab answered 502', 1_200);
    // Recorded once: a later failure does not move it.
    await store.retryJobLater('j', 3_000, 'GitLab answered 502', 2_500);
    expect(await store.job('j')).toMatchObject({ attempts: 2, first_attempt_at: 1_200 });

    await store.deadLetter('j', 'gave up after 3 attempts: GitLab answered 502', { attempts: 3, first_attempt_at: 2_900 });
    expect((await store.deadLetters())[0]).toMatchObject({ reason: 'gave up after 3 attempts: GitLab answered 502', job: { attempts: 3, first_attempt_at: 1_200 } });

    now = 90_000;
    expect(await store.reviveDeadLetter('j')).toMatchObject({ attempts: 0, received_at: 90_000, first_attempt_at: 1_200 });
    expect(await store.job('j')).toMatchObject({ attempts: 0, received_at: 90_000, first_attempt_at: 1_200 });
    await store.close();
  });

  it('brings a database made before first attempts were recorded up to date, once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rulebot-store-'));
    const Database = (await import('better-sqlite3')).default;
    const old = new Database(join(dir, 'rulebot.sqlite'));
    old.exec(SCHEMA);
    const insert = old.prepare('INSERT INTO jobs (id, project_id, payload, received_at, attempts, next_attempt_at, last_error) VALUES (?, 1, ?, ?, ?, ?, ?)');
    insert.run('failed-once', '{}', 1_000, 1, 5_000, 'GitLab answered 502');
    insert.run('waiting', '{}', 2_000, 0, 2_000, null);
    // Dead letters then counted the attempts before the last: this one was given up at its second.
    const letter = { ...job('dead', ''), received_at: 500, attempts: 1 };
    old.prepare('INSERT INTO dead_letters (id, job, reason, failed_at) VALUES (?, ?, ?, ?)').run('dead', JSON.stringify(letter), 'gave up after 2 attempts: 502', 9_000);
    old.close();

    for (let opening = 0; opening < 2; opening++) {
      const store = new SqliteStore(dir);
      // Attempted before: its window counts from its acceptance. Never attempted: from its first attempt, still to come.
      expect(await store.job('failed-once')).toMatchObject({ attempts: 1, first_attempt_at: 1_000 });
      expect((await store.job('waiting'))?.first_attempt_at).toBeUndefined();
      expect((await store.deadLetters())[0]?.job).toMatchObject({ attempts: 2, first_attempt_at: 500 });
      await store.close();
    }
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
    expect(tables.beginAttempt('j', 1_000, 500)).toMatchObject({ state: 'run', retrying: false, attempt: 1, job: { first_attempt_at: 1_000 } });
    expect(tables.beginAttempt('j', 1_200, 500)).toEqual({ state: 'busy', retryInMs: 300 });
    // Nobody else runs it once the lease ran out (a consumer that died): the next attempt is a retry.
    expect(tables.beginAttempt('j', 1_600, 500)).toMatchObject({ state: 'run', retrying: true, attempt: 2, job: { first_attempt_at: 1_000 } });
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
    expect(tables.beginAttempt('s', 20_000, 500)).toEqual({ state: 'stuck', attempts: 5, unended: 5, first_attempt_at: 10_000 });

    // One that failed and said so counts as ended; its next attempt waits for the back-off.
    tables.retryJobLater('s', 30_000, 'GitLab answered 502', 10_000);
    expect(tables.beginAttempt('s', 21_000, 500)).toEqual({ state: 'busy', retryInMs: 9_000 });
    expect(tables.beginAttempt('s', 30_000, 500)).toMatchObject({ state: 'run', retrying: true, attempt: 6 });
    // Taken back (the store failed under it), an attempt does not count as stopped either.
    tables.abandonAttempt('s');
    expect(tables.beginAttempt('s', 31_000, 500)).toMatchObject({ state: 'run' });
    db.close();
  });
});

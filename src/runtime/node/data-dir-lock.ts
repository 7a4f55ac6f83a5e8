// One rulebot process per DATA_DIR: an exclusive lock held for the life of the process, and who holds it.
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { RulebotError } from '../../errors.js';

/** Who holds a DATA_DIR, as the holder wrote it down when it took the lock. */
export interface LockHolder {
  pid: number;
  host: string;
  /** When it took the lock (ISO 8601). */
  since: string;
}

/** Another process holds DATA_DIR and this one was told not to wait (`DATA_DIR_LOCK=fail`). */
export class DataDirInUseError extends RulebotError {
  readonly code = 'data_dir_in_use';
}

const LOCK_FILE = 'lock.sqlite';
const HOLDER_FILE = 'lock-holder.json';

/**
 * The lock is SQLite's own: `lock.sqlite` in DATA_DIR, opened in exclusive locking mode and written
 * once, so its connection keeps an exclusive POSIX record lock (fcntl) on the file for as long as it
 * is open. The operating system drops that lock when the process ends, however it ends (exit, crash,
 * SIGKILL, out of memory), so the lock is never stale and nobody has to judge whether its holder
 * still lives. A pid file would have to: pids are reused (a container restarted on the same volume
 * is often pid 1 again), and a pid written by another host sharing the volume cannot be checked at
 * all. The lock lives in a file of its own so that `rulebot.sqlite` stays open to
 * `rulebot dead-letters` while a server runs.
 *
 * Others cannot read a file locked this way, so the holder writes its pid, host and start time
 * beside it, to `lock-holder.json`: only to tell people who holds the lock. The lock decides; what
 * the file says may be left over from a holder that is gone.
 *
 * The file must never be deleted while a rulebot may run: a process opening a new file of that
 * name would lock the new file, not the old one.
 */
export class DataDirLock {
  private constructor(
    private readonly db: Database.Database,
    /** What this process wrote as the holder. */
    readonly holder: LockHolder,
  ) {}

  /** Takes the lock of `dir` (created if missing) if no other process holds it; undefined if one does. */
  static tryAcquire(dir: string, now: () => number = Date.now): DataDirLock | undefined {
    mkdirSync(dir, { recursive: true });
    // No busy timeout: a held lock is answered at once, and waiting is done by polling, which keeps the event loop free.
    const db = new Database(join(dir, LOCK_FILE), { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
      // In exclusive locking mode the first write takes the lock and the commit keeps it.
      db.exec('CREATE TABLE IF NOT EXISTS taken (pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL)');
      const holder = { pid: process.pid, host: hostname(), since: new Date(now()).toISOString() };
      db.exec('DELETE FROM taken');
      db.prepare('INSERT INTO taken (pid, host, since) VALUES (?, ?, ?)').run(holder.pid, holder.host, holder.since);
      db.exec('COMMIT');
      writeHolder(dir, holder);
      return new DataDirLock(db, holder);
    } catch (error) {
      // Closing gives back whatever the failed attempt held, so two waiters never hold each other up.
      db.close();
      if ((error as { code?: unknown }).code === 'SQLITE_BUSY') return undefined;
      throw error;
    }
  }

  /** Who holds the lock of `dir`, as the holder wrote it; undefined when that cannot be read. */
  static holder(dir: string): LockHolder | undefined {
    try {
      const value = JSON.parse(readFileSync(join(dir, HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
      if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'string') {
        return { pid: value.pid, host: value.host, since: value.since };
      }
    } catch {
      // Missing or half-written: the holder is simply not known.
    }
    return undefined;
  }

  /** Gives the lock back (closing its connection); the next waiter takes it within its poll interval. */
  release(): void {
    if (this.db.open) this.db.close();
  }
}

/** `DATA_DIR /srv/rulebot is in use by process 1234 on host web-1 since 2026-05-01T12:00:00.000Z` */
export function describeHolder(dir: string, holder: LockHolder | undefined): string {
  const who = holder ? `process ${holder.pid} on host ${holder.host} since ${holder.since}` : 'another process';
  return `DATA_DIR ${resolve(dir)} is in use by ${who}`;
}

/** Written to a temporary file and renamed, so a reader never sees half of it. */
function writeHolder(dir: string, holder: LockHolder): void {
  const temporary = join(dir, `${HOLDER_FILE}.${process.pid}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(holder)}\n`);
  renameSync(temporary, join(dir, HOLDER_FILE));
}

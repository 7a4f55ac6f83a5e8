// How long the disk takes to commit a delivery the way rulebot's store does: what every 202 of rulebot waits for,
// and the other targets do not.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantile } from './stats.js';

export interface DiskCommit {
  /** One SQLite commit (WAL, `synchronous = FULL`) of a 6 KB row and the delete of the previous one. */
  p50Ms: number;
  p90Ms: number;
  samples: number;
}

/**
 * Times `samples` commits in a fresh database under the system's temporary directory (where the ingest benchmark
 * puts rulebot's DATA_DIR), with the journal settings of SqliteStore. A plain write and fdatasync of the same size
 * can be ten times faster here: appending to the WAL and syncing it is what costs. On a shared machine this moves
 * with other work's I/O, and rulebot's req/s with it.
 */
export function measureDiskCommit(samples = 50, payload = 'x'.repeat(6 * 1024)): DiskCommit {
  const dir = mkdtempSync(join(tmpdir(), 'rulebot-bench-sync-'));
  const db = new Database(join(dir, 'probe.sqlite'));
  const times: number[] = [];
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE probe (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO probe (id, payload) VALUES (?, ?)');
    const remove = db.prepare('DELETE FROM probe WHERE id = ?');
    const commit = db.transaction((id: number) => {
      insert.run(id, payload);
      remove.run(id - 1);
    });
    for (let id = 1; id <= samples + 5; id++) {
      const started = performance.now();
      commit(id);
      // The first few grow the files: not counted.
      if (id > 5) times.push(performance.now() - started);
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const sorted = Float64Array.from(times).sort();
  return { p50Ms: quantile(sorted, 0.5), p90Ms: quantile(sorted, 0.9), samples: times.length };
}

// Counters kept in SQLite, for a runtime whose processes cannot each keep their own (the Worker's store object).
import type { SqlDriver } from './sql-tables.js';

export const COUNTER_SCHEMA = `CREATE TABLE IF NOT EXISTS counters (series TEXT PRIMARY KEY, value REAL NOT NULL);`;

/** Series at most: labels come from rule names and GitLab statuses, so this is never reached in practice; beyond it new series are dropped. */
const MAX_SERIES = 5_000;

/** Adds to counters named by their series (`name{label="value"}`); reads them all for a scrape. */
export class CounterTables {
  constructor(private readonly sql: SqlDriver) {
    sql.exec(COUNTER_SCHEMA);
  }

  add(samples: readonly (readonly [series: string, value: number])[]): void {
    let room = MAX_SERIES - this.sql.all<{ n: number }>('SELECT COUNT(*) AS n FROM counters')[0]!.n;
    for (const [series, value] of samples) {
      const known = this.sql.all<{ value: number }>('SELECT value FROM counters WHERE series = ?', series).length > 0;
      if (!known && room-- <= 0) continue;
      this.sql.run('INSERT INTO counters (series, value) VALUES (?, ?) ON CONFLICT (series) DO UPDATE SET value = value + excluded.value', series, value);
    }
  }

  all(): [string, number][] {
    return this.sql.all<{ series: string; value: number }>('SELECT series, value FROM counters').map((row) => [row.series, row.value]);
  }
}

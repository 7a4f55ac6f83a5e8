// better-sqlite3 behind the tables' three-method driver, each statement prepared once.
import type Database from 'better-sqlite3';
import type { SqlDriver, SqlValue } from '../../store/sql-tables.js';

export function betterSqliteDriver(db: Database.Database): SqlDriver {
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) statements.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  return {
    exec: (sql) => void db.exec(sql),
    all: <Row>(sql: string, ...params: SqlValue[]) => prepare(sql).all(...params) as Row[],
    run: (sql, ...params) => void prepare(sql).run(...params),
  };
}

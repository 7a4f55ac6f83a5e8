// The tables of kept rule configurations, over the same synchronous SQLite driver as the store's other tables.
import type { ConfigFileRecord, ConfigProblemRecord, NewRuleConfig, PushedChange, RuleConfigRecord } from './rule-config-store.js';
import type { SqlDriver, SqlValue } from './sql-tables.js';

// One row per file, so that no value comes near a Durable Object's 2 MB limit (a file is read only up
// to 32 KiB), and a push marks files stale with one statement. `valid` is 1 for the files of the last
// valid configuration, kept while the last reading has problems.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS rule_configs (
    id INTEGER PRIMARY KEY,
    project TEXT NOT NULL,
    version INTEGER NOT NULL,
    checked_at INTEGER NOT NULL,
    problems TEXT NOT NULL,
    has_last_valid INTEGER NOT NULL,
    has_schedules INTEGER NOT NULL,
    digest TEXT
  );
  CREATE TABLE IF NOT EXISTS rule_config_files (
    config_id INTEGER NOT NULL,
    valid INTEGER NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    project TEXT NOT NULL,
    path TEXT NOT NULL,
    ref TEXT NOT NULL,
    text TEXT,
    read_at INTEGER NOT NULL,
    blob_id TEXT,
    commit_id TEXT,
    stale INTEGER NOT NULL,
    PRIMARY KEY (config_id, valid, position)
  );
  CREATE INDEX IF NOT EXISTS rule_config_files_source ON rule_config_files (project, path);
  CREATE TABLE IF NOT EXISTS rule_config_notes (project_id INTEGER NOT NULL, iid INTEGER NOT NULL, note_id INTEGER NOT NULL, PRIMARY KEY (project_id, iid));
`;

interface ConfigRow {
  id: number;
  project: string;
  version: number;
  checked_at: number;
  problems: string;
  has_last_valid: number;
  has_schedules: number;
  digest: string | null;
}

interface FileRow {
  valid: number;
  name: string;
  project: string;
  path: string;
  ref: string;
  text?: string | null;
  read_at: number;
  blob_id: string | null;
  commit_id: string | null;
  stale: number;
}

const FILE_COLUMNS = 'valid, name, project, path, ref, read_at, blob_id, commit_id, stale';

/** Synchronous like StoreTables: the caller decides the transaction (a batch on Node, a method of the Durable Object). */
export class RuleConfigTables {
  constructor(private readonly sql: SqlDriver) {
    sql.exec(SCHEMA);
  }

  ruleConfig(id: number, texts: boolean): RuleConfigRecord | undefined {
    const row = this.first<ConfigRow>('SELECT * FROM rule_configs WHERE id = ?', id);
    if (!row) return undefined;
    const files = this.sql.all<FileRow>(`SELECT ${FILE_COLUMNS}${texts ? ', text' : ''} FROM rule_config_files WHERE config_id = ? ORDER BY valid, position`, id);
    return {
      id: row.id,
      project: row.project,
      version: row.version,
      checked_at: row.checked_at,
      files: files.filter((file) => file.valid === 0).map(toFile),
      problems: JSON.parse(row.problems) as ConfigProblemRecord[],
      last_valid: row.has_last_valid ? files.filter((file) => file.valid === 1).map(toFile) : undefined,
      has_schedules: row.has_schedules === 1,
      digest: row.digest ?? undefined,
    };
  }

  saveRuleConfig(config: NewRuleConfig, expectedVersion: number | undefined): number | undefined {
    const current = this.first<{ version: number }>('SELECT version FROM rule_configs WHERE id = ?', config.id)?.version;
    if (current !== expectedVersion) return undefined;
    const version = (current ?? 0) + 1;
    this.sql.run(
      'INSERT OR REPLACE INTO rule_configs (id, project, version, checked_at, problems, has_last_valid, has_schedules, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      config.id, config.project, version, config.checked_at, JSON.stringify(config.problems), config.last_valid ? 1 : 0, config.has_schedules ? 1 : 0, config.digest ?? null,
    );
    this.sql.run('DELETE FROM rule_config_files WHERE config_id = ?', config.id);
    const insert = (valid: number, files: readonly ConfigFileRecord[]) =>
      files.forEach((file, position) =>
        this.sql.run(
          'INSERT INTO rule_config_files (config_id, valid, position, name, project, path, ref, text, read_at, blob_id, commit_id, stale) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          config.id, valid, position, file.name, file.project, file.path, file.ref, file.text ?? null, file.read_at, file.blob_id ?? null, file.commit_id ?? null, file.stale ? 1 : 0,
        ),
      );
    insert(0, config.files);
    if (config.last_valid) insert(1, config.last_valid);
    return version;
  }

  invalidateRuleConfigs(change: PushedChange): number[] {
    const where =
      "valid = 0 AND project = ? AND (ref = ? OR (? = 1 AND ref = '')) AND (? = 1 OR path IN (SELECT value FROM json_each(?)))";
    const params: SqlValue[] = [
      change.project.toLowerCase(), change.ref, change.defaultBranch ? 1 : 0,
      change.paths === 'all' ? 1 : 0, JSON.stringify(change.paths === 'all' ? [] : change.paths),
    ];
    const ids = this.sql.all<{ config_id: number }>(`SELECT DISTINCT config_id FROM rule_config_files WHERE ${where}`, ...params).map((row) => row.config_id);
    if (ids.length === 0) return [];
    this.sql.run(`UPDATE rule_config_files SET stale = 1 WHERE ${where}`, ...params);
    this.sql.run('UPDATE rule_configs SET version = version + 1 WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(ids));
    return ids;
  }

  ruleConfigsWithSchedules(): RuleConfigRecord[] {
    return this.sql
      .all<{ id: number }>('SELECT id FROM rule_configs WHERE has_schedules = 1 ORDER BY id')
      .flatMap((row) => this.ruleConfig(row.id, true) ?? []);
  }

  ruleConfigProblems(): { configs: number; invalid: RuleConfigRecord[] } {
    const configs = this.first<{ n: number }>('SELECT COUNT(*) AS n FROM rule_configs')!.n;
    const invalid = this.sql
      .all<{ id: number }>("SELECT id FROM rule_configs WHERE problems != '[]' ORDER BY id")
      .flatMap((row) => this.ruleConfig(row.id, false) ?? []);
    return { configs, invalid };
  }

  configNote(projectId: number, iid: number): number | undefined {
    return this.first<{ note_id: number }>('SELECT note_id FROM rule_config_notes WHERE project_id = ? AND iid = ?', projectId, iid)?.note_id;
  }

  setConfigNote(projectId: number, iid: number, noteId: number): void {
    this.sql.run('INSERT OR REPLACE INTO rule_config_notes (project_id, iid, note_id) VALUES (?, ?, ?)', projectId, iid, noteId);
  }

  private first<Row>(sql: string, ...params: SqlValue[]): Row | undefined {
    return this.sql.all<Row>(sql, ...params)[0];
  }
}

function toFile(row: FileRow): ConfigFileRecord {
  return {
    name: row.name,
    project: row.project,
    path: row.path,
    ref: row.ref,
    text: row.text === undefined ? undefined : row.text,
    read_at: row.read_at,
    blob_id: row.blob_id ?? undefined,
    commit_id: row.commit_id ?? undefined,
    stale: row.stale === 1,
  };
}

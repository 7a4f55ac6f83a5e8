// What is kept of rule configurations read from GitLab: each project's own file and every preset, their last valid state, and config-check comments.

/** One file of a configuration as rulebot last read it. */
export interface ConfigFileRecord {
  /** As the configuration names it: `group/project:path`, with `@ref` when it names one. */
  name: string;
  /** Where it lives, compared with what a push changed: the project's path in lower case, the path, the ref (`''`: the default branch). */
  project: string;
  path: string;
  ref: string;
  /** Its text; null when GitLab has no such file; undefined when read without the texts. */
  text: string | null | undefined;
  read_at: number;
  /** `X-Gitlab-Blob-Id`: tells a changed file from one read again. */
  blob_id: string | undefined;
  /** `X-Gitlab-Last-Commit-Id`: the last commit that changed it. */
  commit_id: string | undefined;
  /** A push changed it since: it is read again before the configuration is used. */
  stale: boolean;
}

/** One problem of a configuration, with the project whose file it is in (undefined: a file of RULES_DIR). */
export interface ConfigProblemRecord {
  text: string;
  project: string | undefined;
}

/** The configuration of one project (its id), or of the central rules' presets (id 0). */
export interface RuleConfigRecord {
  id: number;
  /** `path_with_namespace` when last read (empty for the central rules). */
  project: string;
  /** Moved on by every save and every invalidation: compiled rules are kept by it, and saves compare it. */
  version: number;
  /** When the files were last read and checked. */
  checked_at: number;
  /** The files of the last reading: a project's own file first, then the presets in the order read. */
  files: ConfigFileRecord[];
  /** Problems of the last reading; none when it is valid. */
  problems: ConfigProblemRecord[];
  /** When the last reading has problems: the files of the last valid one (undefined: never valid). */
  last_valid: ConfigFileRecord[] | undefined;
  /** Whether the configuration in force has schedule rules, so that the scheduler looks at it. */
  has_schedules: boolean;
  /** Fingerprint of the files not kept here (the central rule files): a change means reading again. */
  digest: string | undefined;
}

export type NewRuleConfig = Omit<RuleConfigRecord, 'version'>;

/** Files a push changed: on the branch `ref` of `project` (its path), the default branch or not. */
export interface PushedChange {
  project: string;
  ref: string;
  defaultBranch: boolean;
  /** Every path the push changed, or `all` when GitLab did not list every commit. */
  paths: readonly string[] | 'all';
}

/**
 * Configurations are read from GitLab once and kept here, shared by every process or isolate, with
 * the last valid one of each: a broken file never takes a project's rules away, even after a restart.
 */
export interface RuleConfigStore {
  /** A configuration, with the files' texts or without them (cheap: enough to tell whether it is fresh). */
  ruleConfig(id: number, options: { texts: boolean }): Promise<RuleConfigRecord | undefined>;
  /**
   * Saves a configuration if it is still at `expectedVersion` (undefined: none kept yet); resolves the
   * new version, or undefined when it changed meanwhile (another save, or a push) and nothing was saved.
   */
  saveRuleConfig(config: NewRuleConfig, expectedVersion: number | undefined): Promise<number | undefined>;
  /** Marks the files a push changed as stale in every configuration that reads them; resolves those configurations' ids. */
  invalidateRuleConfigs(change: PushedChange): Promise<number[]>;
  /** Configurations whose rules in force include schedule rules, with their texts. */
  ruleConfigsWithSchedules(): Promise<RuleConfigRecord[]>;
  /** Configurations whose last reading has problems, without texts; and how many are kept in all. */
  ruleConfigProblems(): Promise<{ configs: number; invalid: RuleConfigRecord[] }>;
  /** The comment rulebot keeps on a merge request about its configuration, if it made one. */
  configNote(projectId: number, iid: number): Promise<number | undefined>;
  setConfigNote(projectId: number, iid: number, noteId: number): Promise<void>;
}

/** Whether a pushed change concerns a file of a configuration. */
export function changesFile(change: PushedChange, file: Pick<ConfigFileRecord, 'project' | 'path' | 'ref'>): boolean {
  if (file.project !== change.project.toLowerCase()) return false;
  if (!(file.ref === change.ref || (change.defaultBranch && file.ref === ''))) return false;
  return change.paths === 'all' || change.paths.includes(file.path);
}

// Reading a configuration again: what is in force afterwards (the last valid rules when the new reading has problems), and keeping it.
import type { GitLabClient } from '../gitlab/index.js';
import type { Logger } from '../log.js';
import type { Rule } from '../rules/index.js';
import type { ConfigFileRecord, NewRuleConfig, RuleConfigRecord, RuleConfigStore } from '../store/index.js';
import { readConfig, type ConfigOwner } from './read-config.js';

/** What reading a configuration again found, and what it was before. */
export interface Refreshed {
  /** The rules in force now. */
  rules: Rule[];
  config: NewRuleConfig;
  previous: RuleConfigRecord | undefined;
  /** The version it was kept under; undefined when it changed meanwhile and was not kept. */
  version: number | undefined;
  /** GitLab reads it made. */
  reads: number;
}

/**
 * Reads a configuration (kept files where fresh, GitLab otherwise) and keeps the result over the
 * version it started from. With problems, the last valid files stay in force, and stay kept.
 */
export async function rereadConfig(
  id: number,
  owner: ConfigOwner,
  deps: { store: RuleConfigStore; gitlab: GitLabClient; now: number; ttlMs: number; log: Logger },
): Promise<Refreshed> {
  const { store, log } = deps;
  const previous = await store.ruleConfig(id, { texts: true });
  const reading = await readConfig(owner, previous?.files ?? [], { gitlab: deps.gitlab, now: deps.now, ttlMs: deps.ttlMs });
  const problems = reading.loaded.problems;
  let rules = reading.loaded.rules;
  let lastValid: ConfigFileRecord[] | undefined;
  const name = configurationName(owner);
  if (problems.length > 0) {
    lastValid = previous && previous.problems.length === 0 ? previous.files : previous?.last_valid;
    rules = lastValid ? await compileKept(owner, lastValid, log) : [];
    if (!sameProblems(previous?.problems ?? [], problems)) {
      log.warn(lastValid ? 'rules are invalid; the last valid ones stay in force' : 'rules are invalid, and none were valid before', {
        configuration: name,
        problems: problems.map((problem) => problem.text),
      });
    }
  } else if (previous && previous.problems.length > 0) {
    log.info('rules are valid again', { configuration: name, rules: rules.length });
  }
  const config: NewRuleConfig = {
    id,
    project: 'project' in owner ? owner.project.path : '',
    checked_at: deps.now,
    files: reading.files,
    problems,
    last_valid: problems.length > 0 ? lastValid : undefined,
    has_schedules: rules.some((rule) => rule.schedule !== undefined),
    digest: digestOf(owner),
  };
  const version = await store.saveRuleConfig(config, previous?.version);
  log.debug('rules read from GitLab', { configuration: name, reads: reading.reads, rules: rules.length, problems: problems.length });
  return { rules, config, previous, version, reads: reading.reads };
}

/** Compiles kept files (read before, valid then); reads nothing. */
export async function compileKept(owner: ConfigOwner, files: readonly ConfigFileRecord[], log: Logger): Promise<Rule[]> {
  const { loaded } = await readConfig(owner, files, { gitlab: undefined, now: 0, ttlMs: 0, keptOnly: true, offline: 'kept files only' });
  if (loaded.problems.length > 0) {
    // Valid when kept, refused now: the rules changed with an upgrade of rulebot. Say so; run none of them.
    log.error('kept rules no longer load; none of them run until the file is read again', {
      configuration: configurationName(owner),
      problems: loaded.problems.map((problem) => problem.text),
    });
    return [];
  }
  return loaded.rules;
}

/** The central files are not kept in the store: a change to them (a new deployment) means reading the presets again. */
export function digestOf(owner: ConfigOwner): string | undefined {
  if (!('central' in owner)) return undefined;
  // FNV-1a over every file's path and text: a fingerprint, not a defence.
  let hash = 0x811c9dc5;
  for (const { path, text } of owner.central) {
    for (const char of `${path}\0${text}\0`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  }
  return hash.toString(16);
}

function configurationName(owner: ConfigOwner): string {
  return 'project' in owner ? `${owner.project.path}:${owner.file}` : 'the central rule files';
}

function sameProblems(a: readonly { text: string }[], b: readonly { text: string }[]): boolean {
  return a.length === b.length && a.every((problem, i) => problem.text === b[i]?.text);
}

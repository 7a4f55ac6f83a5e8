// A whole configuration, from its files to compiled rules: the central RULES_DIR, or one project's own file, with their presets.
import { RuleConfigError } from '../errors.js';
import { compileEntries } from './compile-entries.js';
import { resolveConfig, type ConfigProblem, type PresetReader } from './extends.js';
import { declaredLabels, loadRules, parseRuleFile, type RuleSource } from './load.js';
import type { LabelSpec } from './schema.js';
import { RuleSet } from './rule-set.js';
import { sameProject, type FileLocation } from './preset-ref.js';
import type { Rule } from './rule.js';

/** A project's rules fire after the central ones (their actions merge later, so they win a disagreement). */
const PROJECT_RULES_ORDER = 1_000_000;

export interface LoadedConfig {
  /** Compiled rules, in firing order; empty when there are problems. */
  rules: Rule[];
  problems: ConfigProblem[];
  /** Presets not read (no token), named as in `extends`. */
  skipped: string[];
  /** Every preset the configuration reads. */
  presets: FileLocation[];
}

/** The central rule files: compiled at once when they extend no preset, else checked now and compiled once their presets are read. */
export interface CentralRules {
  sources: readonly RuleSource[];
  /** Every central rule when `presets` is false; empty when it is true. */
  ruleSet: RuleSet;
  /** Whether a file extends presets, which are read from GitLab when rulebot runs. */
  presets: boolean;
  /** Labels the central files declare (the same as `ruleSet.labels` when `presets` is false). */
  labels?: readonly LabelSpec[];
}

/**
 * Loads the central rule files as far as can be done without GitLab: completely when none extends a
 * preset; otherwise each file is parsed and checked against the schema, and the rest waits for the
 * presets (`loadCentralConfig`).
 *
 * @throws RuleConfigError with one line per problem
 */
export function prepareCentralRules(sources: readonly RuleSource[]): CentralRules {
  const parsed = sources.map((source) => parseRuleFile(source));
  const problems = parsed.flatMap((result) => ('problems' in result ? result.problems : []));
  if (problems.length > 0) throw new RuleConfigError(problems);
  const presets = parsed.some((result) => 'file' in result && result.file.extends !== undefined);
  if (!presets) {
    const ruleSet = loadRules(sources);
    return { sources, presets, ruleSet, labels: [...ruleSet.labels.values()] };
  }
  const labels = declaredLabels(parsed.flatMap((result) => ('file' in result ? [result] : [])));
  if (labels.problems.length > 0) throw new RuleConfigError(labels.problems);
  return { sources, presets, ruleSet: new RuleSet([]), labels: labels.labels };
}

/**
 * The central rules: every file of RULES_DIR, with the presets they extend read through `read`.
 * Rules are named by their own names; a file's `projects` limits its rules and those of its presets.
 */
export async function loadCentralConfig(sources: readonly RuleSource[], read: PresetReader): Promise<LoadedConfig> {
  const resolved = await resolveConfig(sources.map((source) => ({ source })), { read });
  return finish(resolved, compileEntries(resolved.entries), undefined);
}

export interface ProjectConfigInput {
  /** The project; an empty path when it is not known (checking a local file): then only group scopes are refused. */
  project: { id: number; path: string };
  /** The project's file, named in messages by its path (`.gitlab/rulebot.yml`). */
  file: { location: FileLocation; text: string };
  read: PresetReader;
}

/**
 * One project's own rules: its file and the presets it extends. They apply to that project only, so
 * `projects` is refused, and its schedule rules scan that project (a `scope` naming anything else is
 * refused). Rules are keyed `project:<id>:<name>` and fire after the central rules.
 */
export async function loadProjectConfig({ project, file, read }: ProjectConfigInput): Promise<LoadedConfig> {
  const resolved = await resolveConfig([{ source: { path: file.location.path, text: file.text }, location: file.location }], { read, project });
  for (const { spec, file: where } of resolved.entries) {
    const scope = spec.scope;
    if (!scope) continue;
    const ownProject = 'project' in scope && (project.path === '' || scope.project === String(project.id) || sameProject(scope.project, project.path));
    if (!ownProject) {
      resolved.problems.push({
        text: `${where}: rule "${spec.name}": scope: a project's schedule rules scan that project only (${project.path}); leave scope out`,
        project: project.path,
      });
    }
  }
  const compiled = compileEntries(resolved.entries, { orderOffset: PROJECT_RULES_ORDER, key: (spec) => projectRuleKey(project.id, spec.name) });
  return finish(resolved, compiled, project.path);
}

/** The key of a project's rule, for its schedule runs: `project:<id>:<name>`. */
export function projectRuleKey(projectId: number, name: string): string {
  return `project:${projectId}:${name}`;
}

/** The project id and rule name of a key made by projectRuleKey. */
export function readProjectRuleKey(key: string): { projectId: number; name: string } | undefined {
  const match = /^project:(\d+):(.+)$/s.exec(key);
  return match ? { projectId: Number(match[1]), name: match[2]! } : undefined;
}

function finish(
  resolved: Awaited<ReturnType<typeof resolveConfig>>,
  compiled: { rules: Rule[]; problems: string[] },
  project: string | undefined,
): LoadedConfig {
  const problems = [...resolved.problems, ...compiled.problems.map((text) => ({ text, project }))];
  return { rules: problems.length > 0 ? [] : compiled.rules, problems, skipped: resolved.skipped, presets: resolved.presets };
}

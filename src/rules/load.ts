// Loads rule files from their text: YAML parsing, schema validation, cross-file checks, compilation.
import { LineCounter, parseDocument, type Document } from 'yaml';
import { RuleConfigError } from '../errors.js';
import { describeIssue, describeLocation, innermostIssue } from './describe-issue.js';
import { compileEntries, type RuleEntry } from './compile-entries.js';
import { RuleSet } from './rule-set.js';
import { RuleFileSchema, type LabelSpec, type RuleFile } from './schema.js';

export interface RuleSource {
  /** Shown in messages, e.g. `rules/labels.yml`. */
  path: string;
  text: string;
}

/** A rule file that parsed and passed the schema, with the lines its YAML nodes start on. */
export interface ParsedRuleFile {
  source: RuleSource;
  file: RuleFile;
  /** The line of the YAML node at `path`, or of its deepest ancestor that exists. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

export interface ParseOptions {
  /**
   * Scope given to schedule rules that name none (a project's own file: they scan that project).
   * A scope written in the file is left as it is, for the caller to judge.
   */
  defaultScope?: { project: string };
}

/**
 * Parses and validates every rule file, then compiles them into one RuleSet. Collects every problem
 * in every file before failing, so one run of `rulebot check` shows them all. Files that extend
 * presets need them read from GitLab first (`resolveConfig` in extends.ts): they are refused here.
 *
 * @throws RuleConfigError with one line per problem: `rules/x.yml:12: rule "docs": then.add_labels: expected …, got …`
 */
export function loadRules(sources: readonly RuleSource[]): RuleSet {
  const problems: string[] = [];
  const entries: RuleEntry[] = [];
  const parsed: ParsedRuleFile[] = [];
  for (const source of sources) {
    const result = parseRuleFile(source);
    if ('problems' in result) {
      problems.push(...result.problems);
      continue;
    }
    parsed.push(result);
    if (result.file.extends) {
      const line = result.lineOf(['extends']);
      problems.push(`${source.path}${line ? `:${line}` : ''}: extends: presets are read from GitLab, which this loader does not do; load the rules with their presets`);
      continue;
    }
    entries.push(...ownEntries(result));
  }
  const labels = declaredLabels(parsed);
  problems.push(...labels.problems);
  const compiled = compileEntries(entries);
  problems.push(...compiled.problems);
  if (problems.length > 0) throw new RuleConfigError(problems);
  return new RuleSet(compiled.rules, labels.labels);
}

/** The labels the files' `labels:` sections declare, each name once across the files. */
export function declaredLabels(files: readonly ParsedRuleFile[]): { labels: LabelSpec[]; problems: string[] } {
  const problems: string[] = [];
  const labels = new Map<string, { spec: LabelSpec; path: string }>();
  for (const { source, file } of files) {
    for (const spec of file.labels ?? []) {
      const earlier = labels.get(spec.name);
      if (earlier) problems.push(`${source.path}: labels: label "${spec.name}" is declared twice (also in ${earlier.path})`);
      else labels.set(spec.name, { spec, path: source.path });
    }
  }
  return { labels: [...labels.values()].map(({ spec }) => spec), problems };
}

/** The rules a file defines itself, each with the file's `projects` and the line it starts on (so that a decision can say where the rule that made it is written). */
export function ownEntries({ source, file, lineOf }: ParsedRuleFile, projects: readonly (readonly string[])[] = []): RuleEntry[] {
  const scopes = file.projects && file.projects.length > 0 ? [...projects, file.projects] : projects;
  return (file.rules ?? []).map((spec, i) => ({ spec, file: source.path, projects: scopes, line: lineOf(['rules', i]) }));
}

/** Parses one rule file and validates it against the schema, or says what is wrong, line by line. */
export function parseRuleFile(source: RuleSource, options: ParseOptions = {}): ParsedRuleFile | { problems: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source.text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((error) => {
        const line = error.linePos?.[0]?.line;
        return `${source.path}${line ? `:${line}` : ''}: invalid YAML: ${error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`;
      }),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (error) {
    // An unquoted value starting with `*` is a YAML alias: `[**/*.md]` must be written `["**/*.md"]`.
    const hint = /alias/i.test(String(error)) ? ' (quote globs that start with "*")' : '';
    return { problems: [`${source.path}: invalid YAML: ${(error as Error).message}${hint}`] };
  }
  if (raw === null || raw === undefined) {
    return { problems: [`${source.path}: expected a mapping with a "rules" list, got an empty file`] };
  }
  if (options.defaultScope) giveScope(raw, options.defaultScope);
  const lines = (path: readonly PropertyKey[]) => lineOf(doc, lineCounter, path);
  const result = RuleFileSchema.safeParse(raw);
  if (result.success) return { source, file: result.data, lineOf: lines };
  return {
    problems: result.error.issues.map((found) => {
      const issue = innermostIssue(found);
      const keyPath = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
      const line = lines(keyPath);
      return `${source.path}${line ? `:${line}` : ''}: ${describeLocation(raw, issue.path)}: ${describeIssue(issue, raw)}`;
    }),
  };
}

/** Gives schedule rules without a `scope` the default one, before validation (which requires a scope). */
function giveScope(raw: unknown, scope: { project: string }): void {
  const rules = (raw as { rules?: unknown }).rules;
  if (!Array.isArray(rules)) return;
  for (const rule of rules) {
    if (typeof rule !== 'object' || rule === null || 'scope' in rule) continue;
    const on = (rule as { on?: unknown }).on;
    if (on === 'schedule' || (Array.isArray(on) && on.includes('schedule'))) (rule as Record<string, unknown>)['scope'] = { ...scope };
  }
}

/** The line of the deepest YAML node on `path` that exists. */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

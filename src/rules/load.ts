// Loads rule files from their text: YAML parsing, schema validation, cross-file checks, compilation.
import { LineCounter, parseDocument, type Document } from 'yaml';
import { RuleConfigError } from '../errors.js';
import { describeIssue, describeLocation } from './describe-issue.js';
import { SUBJECTLESS_EVENTS } from './events.js';
import { compileRule, type Rule } from './rule.js';
import { RuleSet } from './rule-set.js';
import { RuleFileSchema, type LabelSpec, type RuleFile } from './schema.js';

export interface RuleSource {
  /** Shown in messages, e.g. `rules/labels.yml`. */
  path: string;
  text: string;
}

/**
 * Parses and validates every rule file, then compiles them into one RuleSet. Collects every problem
 * in every file before failing, so one run of `rulebot check` shows them all.
 *
 * @throws RuleConfigError with one line per problem: `rules/x.yml:12: rule "docs": then.add_labels: expected …, got …`
 */
export function loadRules(sources: readonly RuleSource[]): RuleSet {
  const problems: string[] = [];
  const parsed: { source: RuleSource; file: RuleFile }[] = [];
  for (const source of sources) {
    const result = parseRuleFile(source);
    if ('problems' in result) problems.push(...result.problems);
    else parsed.push({ source, file: result.file });
  }

  const seen = new Map<string, string>();
  const rules: Rule[] = [];
  const labels = new Map<string, { spec: LabelSpec; path: string }>();
  for (const { source, file } of parsed) {
    for (const spec of file.labels ?? []) {
      const earlier = labels.get(spec.name);
      if (earlier) problems.push(`${source.path}: labels: label "${spec.name}" is declared twice (also in ${earlier.path})`);
      else labels.set(spec.name, { spec, path: source.path });
    }
    for (const spec of file.rules ?? []) {
      const where = `${source.path}: rule "${spec.name}"`;
      const earlier = seen.get(spec.name);
      if (earlier) problems.push(`${where}: name: expected a unique rule name, but another rule in ${earlier} has it too`);
      seen.set(spec.name, source.path);
      if (spec.on.every((name) => SUBJECTLESS_EVENTS.has(name))) {
        problems.push(`${where}: on: ${spec.on.join(', ')} events concern no merge request or issue, so "then" has nothing to act on`);
        continue;
      }
      rules.push(compileRule(spec, source.path, rules.length, file.projects));
    }
  }
  if (problems.length > 0) throw new RuleConfigError(problems);
  return new RuleSet(rules, [...labels.values()].map(({ spec }) => spec));
}

function parseRuleFile(source: RuleSource): { file: RuleFile } | { problems: string[] } {
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
  const result = RuleFileSchema.safeParse(raw);
  if (result.success) return { file: result.data };
  return {
    problems: result.error.issues.map((issue) => {
      const keyPath = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
      const line = lineOf(doc, lineCounter, keyPath);
      return `${source.path}${line ? `:${line}` : ''}: ${describeLocation(raw, issue.path)}: ${describeIssue(issue, raw)}`;
    }),
  };
}

/** The line of the deepest YAML node on `path` that exists. */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

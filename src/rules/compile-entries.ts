// The checks across files (unique names, something to act on) and the compilation of the rules that pass them.
import { SUBJECTLESS_EVENTS } from './events.js';
import { compileRule, type Rule } from './rule.js';
import type { RuleSpec } from './schema.js';

/** A rule as it stands in a configuration: its spec, the file that defines it, and the `projects` lists that limit it. */
export interface RuleEntry {
  spec: RuleSpec;
  /** The file, as messages name it (`rules/labels.yml`, `acme/bot-config:presets/base.yml`). */
  file: string;
  /** `projects` globs of the file and of each file that extends it: the rule applies where all of them allow. */
  projects: readonly (readonly string[])[];
  /** The line of the file where the rule starts, when known. */
  line?: number | undefined;
}

export interface CompileOptions {
  /** Added to each rule's position (a project's rules come after the central ones). */
  orderOffset?: number;
  /** A rule's key for schedule runs (default: its name). */
  key?: (spec: RuleSpec) => string;
}

/** Checks names across files and compiles each rule that has something to act on; problems name no line. */
export function compileEntries(entries: readonly RuleEntry[], options: CompileOptions = {}): { rules: Rule[]; problems: string[] } {
  const problems: string[] = [];
  const rules: Rule[] = [];
  const seen = new Map<string, string>();
  for (const { spec, file, projects, line } of entries) {
    const where = `${file}: rule "${spec.name}"`;
    const earlier = seen.get(spec.name);
    if (earlier) problems.push(`${where}: name: expected a unique rule name, but another rule in ${earlier} has it too`);
    seen.set(spec.name, file);
    if (spec.on.every((name) => SUBJECTLESS_EVENTS.has(name))) {
      problems.push(`${where}: on: ${spec.on.join(', ')} events concern no merge request or issue, so "then" has nothing to act on`);
      continue;
    }
    const rule = compileRule(spec, file, (options.orderOffset ?? 0) + rules.length, projects, line);
    rules.push({ ...rule, key: options.key?.(spec) ?? spec.name });
  }
  return { rules, problems };
}

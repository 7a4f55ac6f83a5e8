// A loaded rule: its spec compiled into evaluators and templates, ready to match many events cheaply.
import type { Fact, Evaluator } from './context.js';
import { compileCondition } from './conditions.js';
import { globMatcher, type Matcher } from './patterns.js';
import type { Actions, RuleSpec } from './schema.js';
import { compileTemplate, type Template } from './template.js';

export interface Rule {
  name: string;
  /** The rule file it came from, as given to the loader. */
  file: string;
  /** Position among all loaded rules: rules fire, and their actions merge, in this order. */
  order: number;
  on: string[];
  /** Holds when the file's `projects` globs allow the project (always, without them). */
  inProject: Matcher;
  condition: Evaluator;
  then: Actions;
  comment: (Template & { internal: boolean }) | undefined;
  /** Facts the actions need once the rule matched (e.g. the author's username for a template). */
  actionFacts: Fact[];
}

const everywhere: Matcher = () => true;

export function compileRule(spec: RuleSpec, file: string, order: number, projects: string[] | undefined): Rule {
  const comment = spec.then.comment && compileTemplate(spec.then.comment.body);
  if (comment && 'error' in comment) throw new Error(`template was validated by the schema: ${comment.error}`);
  const actionFacts: Fact[] = [];
  if (comment?.variables.includes('author.username')) actionFacts.push('author');
  return {
    name: spec.name,
    file,
    order,
    on: spec.on,
    inProject: projects && projects.length > 0 ? globMatcher(projects) : everywhere,
    condition: spec.if ? compileCondition(spec.if) : () => true,
    then: spec.then,
    comment: comment && { ...comment, internal: spec.then.comment?.internal ?? false },
    actionFacts,
  };
}

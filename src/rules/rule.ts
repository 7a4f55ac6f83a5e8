// A loaded rule: its spec compiled into evaluators and templates, ready to match many events cheaply.
import type { Fact, Evaluator } from './context.js';
import { compileCondition } from './conditions.js';
import { globMatcher, type Matcher } from './patterns.js';
import type { Actions, Condition, RuleSpec } from './schema.js';
import { compileTemplate, type Template } from './template.js';
import { namesAuthor } from './user-list.js';

export interface Rule {
  name: string;
  /**
   * Names the rule among every rule rulebot runs, for what is kept about it (schedule runs): its name
   * for the central rules, `project:<id>:<name>` for a project's own.
   */
  key: string;
  /** The rule file it came from, as given to the loader. */
  file: string;
  /** The line of the file where the rule starts, when known. */
  line: number | undefined;
  /** Position among all loaded rules: rules fire, and their actions merge, in this order. */
  order: number;
  on: string[];
  /** Holds when the file's `projects` globs allow the project (always, without them). */
  inProject: Matcher;
  /**
   * The `projects` globs as written, of the file and of each file that extends it: the rule applies
   * where every list allows (undefined: every project).
   */
  projects: readonly (readonly string[])[] | undefined;
  condition: Evaluator;
  /** The `if` conditions as written, for explaining a refusal. */
  when: Condition | undefined;
  then: Actions;
  comment: (Template & { internal: boolean; key?: string | undefined }) | undefined;
  reply: Template | undefined;
  /** The `pipeline.ref` template; without one a pipeline runs for the merge request's source branch. */
  pipelineRef: Template | undefined;
  /** Facts the actions need once the rule matched (e.g. the author's username for a template). */
  actionFacts: Fact[];
  /** For `on: schedule` rules: when they run and what they scan. */
  schedule: ScheduleSpec | undefined;
}

export interface ScheduleSpec {
  /** Cron expression, in UTC. */
  cron: string;
  resource: 'merge_requests' | 'issues';
  scope: { project: string } | { group: string };
  /** At most this many items acted on per run (no limit when undefined). */
  limit: number | undefined;
  /** One issue per run listing the items acted on, in `project`. */
  summary?: { title: string; body: string; project: string } | undefined;
}

const everywhere: Matcher = () => true;

function allOf(matchers: Matcher[]): Matcher {
  if (matchers.length === 0) return everywhere;
  if (matchers.length === 1) return matchers[0]!;
  return (text) => matchers.every((matcher) => matcher(text));
}

export function compileRule(spec: RuleSpec, file: string, order: number, projects: readonly (readonly string[])[] = [], line?: number): Rule {
  const comment = spec.then.comment && compiled(spec.then.comment.body);
  const reply = spec.then.reply === undefined ? undefined : compiled(spec.then.reply);
  const pipelineRef = spec.then.pipeline?.ref === undefined ? undefined : compiled(spec.then.pipeline.ref);
  const actionFacts: Fact[] = [];
  if ([comment, reply, pipelineRef].some((t) => t?.variables.includes('author.username')) || userLists(spec.then).some(namesAuthor)) {
    actionFacts.push('author');
  }
  return {
    name: spec.name,
    key: spec.name,
    file,
    line,
    order,
    on: spec.on,
    inProject: allOf(projects.map((globs) => globMatcher([...globs]))),
    projects: projects.length > 0 ? projects : undefined,
    condition: spec.if ? compileCondition(spec.if) : () => true,
    when: spec.if,
    then: spec.then,
    comment: comment && { ...comment, internal: spec.then.comment?.internal ?? false, key: spec.then.comment?.key },
    reply,
    pipelineRef,
    actionFacts,
    schedule:
      spec.schedule && spec.resource && spec.scope
        ? {
            cron: spec.schedule,
            resource: spec.resource,
            scope: spec.scope,
            limit: spec.limit,
            summary: spec.summary && {
              title: spec.summary.title,
              body: spec.summary.body ?? '',
              project: spec.summary.project ?? ('project' in spec.scope ? spec.scope.project : ''),
            },
          }
        : undefined,
  };
}

/** The lists of users a rule's actions name (`assign`, `request_review` or its `from`, `unassign`, `remove_reviewers`). */
function userLists(then: RuleSpec['then']): (readonly string[] | undefined)[] {
  const review = then.request_review;
  const listed = (value: true | string[] | undefined) => (Array.isArray(value) ? value : undefined);
  return [then.assign, Array.isArray(review) ? review : review?.from, listed(then.unassign), listed(then.remove_reviewers)];
}

function compiled(source: string): Template {
  const template = compileTemplate(source);
  if ('error' in template) throw new Error(`template was validated by the schema: ${template.error}`);
  return template;
}

/** Where a rule is written, for people: `rules/labels.yml:12`. */
export function ruleSource(rule: Pick<Rule, 'file' | 'line'>): string {
  return rule.line === undefined ? rule.file : `${rule.file}:${rule.line}`;
}

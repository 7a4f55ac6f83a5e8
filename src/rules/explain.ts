// Why a rule's conditions do not hold for an event: each unmet condition, what it expected and what the event showed.
import type { Subject } from '../event/event.js';
import { ACCESS_LEVELS, roleName } from './access.js';
import { compileCondition, conditionKeys } from './conditions.js';
import type { Evaluator, Fact, MatchContext } from './context.js';
import { formatDuration } from './duration.js';
import { NO_SUBJECT, STATE_DESCRIBERS, stateRequirement, type StateKey } from './explain-state.js';
import { clip, count, list, quoted, type Describer, type Finding } from './explain-words.js';
import { anyLabelMatcher, globMatcher, labelMatcher, type Matcher } from './patterns.js';
import type { Condition } from './schema.js';

/** One condition of a rule that does not hold, or could not be decided. */
export interface Unmet {
  /** Where it is written in the rule's `if`: `labels.none`, `files.all`, `all[1].target_branch`. */
  path: string;
  /** The key of the condition object it belongs to. */
  key: keyof Condition;
  /** The condition as written (after the schema's defaults), for callers that word it their own way. */
  value: unknown;
  /** What the condition asks for, in words: `no label matching backport`. */
  expected: string;
  /** What the event showed: `found "backport"`; for an undecided condition, what is missing. */
  found: string;
  /** True when a fact it needs was not read (a GitLab call not made, or refused). */
  undecided: boolean;
  /** For `any`: why each alternative does not hold. */
  alternatives?: Unmet[][];
  /**
   * For people whose command it refused, where the condition words it so (the conditions on GitLab's
   * state): what it takes (`the pipeline to have succeeded`) and, when decided, what is (`it is running`).
   */
  needs?: string;
  has?: string;
}

/**
 * Every condition of `condition` that does not hold for the event, in the order rules are evaluated
 * (cheap keys first), or only the first one with `first`. Nested `all` lists are flattened; `any`
 * carries its alternatives. Evaluation reuses the compiled evaluators of the rule engine, so this
 * says exactly what matching decided. It compiles and caches per condition object on first use: it
 * runs for rules that did not fire, when a decision is recorded or a refusal explained, never while
 * matching.
 */
export function unmetConditions(condition: Condition, ctx: MatchContext, options: { first?: boolean } = {}, prefix = ''): Unmet[] {
  const unmet: Unmet[] = [];
  for (const [key, evaluate] of evaluatorsOf(condition)) {
    const value = condition[key];
    ctx.missing.clear();
    const outcome = evaluate(ctx);
    if (outcome === true) continue;
    const path = `${prefix}${key}`;
    if (key === 'all' && outcome === false) {
      (value as Condition[]).forEach((part, i) => unmet.push(...unmetConditions(part, ctx, options, `${path}[${i}].`)));
    } else if (outcome === undefined) {
      const needs = [...ctx.missing].map((fact) => FACT_NAMES[fact]).join(' and ') || 'a fact not read';
      const entry: Unmet = { path, key, value, expected: expectation(key, value), found: `could not be decided: ${needs} not known`, undecided: true };
      if (isStateKey(key)) entry.needs = stateRequirement(key, value as never).needs;
      unmet.push(entry);
    } else {
      const finding = (DESCRIBERS[key] as Describer<typeof key>)(value as never, ctx);
      const entry: Unmet = { path: finding.part ? `${path}.${finding.part}` : path, key, value, expected: finding.expected, found: finding.found, undecided: false };
      if (finding.needs !== undefined) entry.needs = finding.needs;
      if (finding.has !== undefined) entry.has = finding.has;
      if (key === 'any') entry.alternatives = (value as Condition[]).map((branch, i) => unmetConditions(branch, ctx, {}, `${path}[${i}].`));
      unmet.push(entry);
    }
    if (options.first && unmet.some((entry) => !entry.undecided)) return unmet.filter((entry) => !entry.undecided).slice(0, 1);
  }
  return unmet;
}

/**
 * An unmet condition in one line: `labels.none: found "backport"`. The conditions on GitLab's state
 * find a value that means little alone (`1 approval`), so theirs says both:
 * `approvals.count.at_least: expected at least 2 approvals, found 1 approval`.
 */
export function describeUnmet(unmet: Pick<Unmet, 'path' | 'found'> & Partial<Pick<Unmet, 'key' | 'expected' | 'undecided'>>): string {
  if (unmet.key !== undefined && isStateKey(unmet.key) && !unmet.undecided && unmet.expected !== undefined) return `${unmet.path}: expected ${unmet.expected}, found ${unmet.found}`;
  return `${unmet.path}: ${unmet.found}`;
}

const FACT_NAMES: Readonly<Record<Fact, string>> = {
  diffs: 'the changed files',
  author: 'the author',
  subject: 'the details of the merge request or issue',
  access: "the user's role",
  approvals: 'the approvals',
  discussions: 'the threads',
  activity: 'the last activity',
};

function isStateKey(key: keyof Condition): key is StateKey {
  return Object.hasOwn(STATE_DESCRIBERS, key);
}

/** Each key's evaluator, in evaluation order. */
const cache = new WeakMap<Condition, Map<keyof Condition, Evaluator>>();

function evaluatorsOf(condition: Condition): Map<keyof Condition, Evaluator> {
  let evaluators = cache.get(condition);
  if (!evaluators) {
    evaluators = new Map(conditionKeys(condition).map((key) => [key, compileCondition({ [key]: condition[key] } as Condition)]));
    cache.set(condition, evaluators);
  }
  return evaluators;
}

const matchers = new WeakMap<readonly string[], Matcher>();

/** A matcher for a list of patterns, made once per list. */
function matcher(patterns: readonly string[], make: (patterns: readonly string[]) => Matcher): Matcher {
  let match = matchers.get(patterns);
  if (!match) matchers.set(patterns, (match = make(patterns)));
  return match;
}

/** Runs `describe` on the subject, or says there is none. */
function onSubject(ctx: MatchContext, describe: (subject: Subject) => Finding): Finding {
  return ctx.event.subject ? describe(ctx.event.subject) : NO_SUBJECT;
}

const DESCRIBERS: { [K in keyof Condition]-?: Describer<K> } = {
  labels: ({ all, any, none }, ctx) =>
    onSubject(ctx, ({ labels }) => {
      const missing = (all ?? []).find((pattern) => !labels.some(labelMatcher(pattern)));
      if (missing !== undefined) return { part: 'all', expected: `labels ${list(all!)}`, found: `no label matches "${missing}"` };
      if (any && !labels.some(matcher(any, anyLabelMatcher))) return { part: 'any', expected: `a label matching one of ${list(any)}`, found: labelsFound(labels) };
      const present = labels.find(matcher(none ?? [], anyLabelMatcher)) ?? '';
      return { part: 'none', expected: `no label matching ${list(none ?? [])}`, found: `found "${clip(present)}"` };
    }),
  label_added: (patterns, { event }) => ({
    expected: `a label matching one of ${list(patterns)} added`,
    found: event.labels_changed?.added.length ? `added ${quoted(event.labels_changed.added)}` : 'no label was added',
  }),
  label_removed: (patterns, { event }) => ({
    expected: `a label matching one of ${list(patterns)} removed`,
    found: event.labels_changed?.removed.length ? `removed ${quoted(event.labels_changed.removed)}` : 'no label was removed',
  }),
  title: (spec, ctx) => onSubject(ctx, (subject) => ({ expected: `a title ${textExpectation(spec)}`, found: `the title is "${clip(subject.title)}"` })),
  description: (spec, ctx) => onSubject(ctx, () => ({ expected: `a description ${textExpectation(spec)}`, found: `the description does not ${'matches' in spec ? 'match' : 'contain it'}` })),
  author: (spec, ctx) => {
    // As matching reads it: the actor when they are the author, else the author looked up.
    const actorIsAuthor = ctx.event.subject?.author_id === ctx.event.user.id && ctx.event.user.username;
    const username = actorIsAuthor ? ctx.event.user.username : ctx.facts.authorUsername;
    return { expected: `an author ${userExpectation(spec)}`, found: ctx.event.subject ? `the author is "${username}"` : NO_SUBJECT.found };
  },
  user: (spec, { event, facts }) => {
    if ('access' in spec) {
      const has = facts.accessLevel ? roleName(facts.accessLevel) : undefined;
      return { part: 'access', expected: `the ${roleName(ACCESS_LEVELS[spec.access])} role or higher`, found: has ? `the ${has} role` : 'no role in the project' };
    }
    if ('is' in spec) return { part: 'is', expected: 'the author', found: `"${event.user.username}" is not the author` };
    return { part: 'in' in spec ? 'in' : 'not_in', expected: `a user ${userExpectation(spec)}`, found: `the user is "${event.user.username}"` };
  },
  args: ({ only, min, max }, { event }) => {
    const args = event.command?.args ?? [];
    if (min !== undefined && args.length < min) return { part: 'min', expected: `at least ${count(min, 'argument')}`, found: count(args.length, 'argument') };
    if (max !== undefined && args.length > max) return { part: 'max', expected: `at most ${count(max, 'argument')}`, found: count(args.length, 'argument') };
    const withComma = args.find((arg) => arg.value.includes(','));
    if (withComma) return { part: 'only', expected: 'arguments without commas', found: `"${withComma.raw}" contains a comma` };
    const refused = args.find((arg) => !matcher(only ?? [], anyLabelMatcher)(arg.value));
    return { part: 'only', expected: `arguments among ${list(only ?? [])}`, found: `"${refused?.raw}" is not one of them` };
  },
  created: (age, ctx) => ageFinding('created', age, ctx, (subject) => subject.created_at),
  updated: (age, ctx) => ageFinding('updated', age, ctx, (subject) => subject.updated_at),
  merged: (age, ctx) => ageFinding('merged', age, ctx, (subject) => subject.merged_at),
  on_mr: (_value, { event }) => ({ expected: 'a merge request', found: event.subject ? 'this is an issue' : NO_SUBJECT.found }),
  on_issue: (_value, { event }) => ({ expected: 'an issue', found: event.subject ? 'this is a merge request' : NO_SUBJECT.found }),
  source_branch: (globs, ctx) => branchFinding('source', globs, ctx.event.subject?.source_branch),
  target_branch: (globs, ctx) => branchFinding('target', globs, ctx.event.subject?.target_branch),
  draft: (expected, ctx) => onSubject(ctx, (subject) => ({ expected: expected ? 'a draft' : 'not a draft', found: subject.draft ? 'it is a draft' : 'it is not a draft' })),
  state: (states, ctx) => onSubject(ctx, (subject) => ({ expected: `state ${states.join(' or ')}`, found: `the state is "${subject.state}"` })),
  files: ({ any, all, none }, { event, facts }) => {
    if (event.subject?.type !== 'merge_request' || !facts.diffs) return { expected: 'changed files', found: 'not a merge request' };
    const paths = facts.diffs.paths;
    if (any && !paths.some(matcher(any, globMatcher))) {
      return { part: 'any', expected: `a changed file matching ${list(any)}`, found: `none of the ${count(paths.length, 'changed file')} matches ${list(any)}` };
    }
    if (all && paths.length === 0) return { part: 'all', expected: `every changed file matching ${list(all)}`, found: 'no file changed' };
    const outside = all ? paths.find((path) => !matcher(all, globMatcher)(path)) : undefined;
    if (all && outside !== undefined) return { part: 'all', expected: `every changed file matching ${list(all)}`, found: `${outside} matches none of ${list(all)}` };
    const inside = paths.find(matcher(none ?? [], globMatcher));
    return { part: 'none', expected: `no changed file matching ${list(none ?? [])}`, found: `${inside} matches ${list(none ?? [])}` };
  },
  changed_lines: ({ greater_than, less_than }, { facts }) => {
    const diffs = facts.diffs;
    if (!diffs) return { expected: 'changed lines', found: 'not a merge request' };
    const counted = `${diffs.incomplete ? 'at least ' : ''}${count(diffs.changedLines, 'changed line')}${diffs.incomplete ? ' (GitLab left some diffs out)' : ''}`;
    if (greater_than !== undefined && !(diffs.changedLines > greater_than)) return { part: 'greater_than', expected: `more than ${count(greater_than, 'changed line')}`, found: counted };
    return { part: 'less_than', expected: `fewer than ${count(less_than ?? 0, 'changed line')}`, found: counted };
  },
  any: (conditions) => ({ expected: `one of ${conditions.length} alternatives`, found: 'none of them holds' }),
  all: () => ({ expected: 'every condition', found: 'one does not hold' }),
  not: () => ({ expected: 'the condition inside not to hold', found: 'it holds' }),
  ...STATE_DESCRIBERS,
};

/** What a condition asks for when it could not be decided (so nothing was found). */
function expectation(key: keyof Condition, value: unknown): string {
  if (key === 'user' && value && typeof value === 'object' && 'access' in value) return `the ${roleName(ACCESS_LEVELS[(value as { access: keyof typeof ACCESS_LEVELS }).access])} role or higher`;
  if (key === 'files') return 'changed files matching the globs';
  if (key === 'changed_lines') return 'a number of changed lines';
  if (key === 'author') return `an author ${userExpectation(value as { in: string[] } | { not_in: string[] })}`;
  if (isStateKey(key)) return stateRequirement(key, value as never).expected;
  return `the \`${key}\` condition`;
}

function ageFinding(
  what: 'created' | 'updated' | 'merged',
  age: { older_than?: number | undefined; newer_than?: number | undefined },
  ctx: MatchContext,
  pick: (subject: Subject) => Date | undefined,
): Finding {
  return onSubject(ctx, (subject) => {
    const date = pick(subject);
    const part = age.older_than !== undefined && (date === undefined || ctx.now - date.getTime() <= age.older_than) ? 'older_than' : 'newer_than';
    const expected = part === 'older_than' ? `${what} more than ${formatDuration(age.older_than!)} ago` : `${what} less than ${formatDuration(age.newer_than!)} ago`;
    if (date === undefined) return { part, expected, found: what === 'merged' ? 'not merged' : `no ${what} time` };
    return { part, expected, found: `${what} ${formatDuration(Math.max(0, ctx.now - date.getTime()))} ago` };
  });
}

function branchFinding(which: 'source' | 'target', globs: readonly string[], branch: string | undefined): Finding {
  const expected = `a ${which} branch matching ${list(globs)}`;
  return { expected, found: branch === undefined ? `no ${which} branch` : `"${branch}" matches none of ${list(globs)}` };
}

function textExpectation(spec: { matches: string; ignore_case?: boolean | undefined } | { contains: string; ignore_case?: boolean | undefined }): string {
  const caseNote = spec.ignore_case ? ' (ignoring case)' : '';
  return 'matches' in spec ? `matching /${spec.matches}/${caseNote}` : `containing "${spec.contains}"${caseNote}`;
}

function userExpectation(spec: { in: string[] } | { not_in: string[] }): string {
  return 'in' in spec ? `among ${list(spec.in)}` : `not among ${list(spec.not_in)}`;
}

function labelsFound(labels: readonly string[]): string {
  return labels.length === 0 ? 'no labels' : `the labels are ${quoted(labels)}`;
}

// Compiles a condition object into one evaluator; three-valued so that unknown facts are read only when they decide.
import type { Subject } from '../event/event.js';
import { ACCESS_LEVELS } from './access.js';
import type { Evaluator, Fact, MatchContext, Tri } from './context.js';
import { anyLabelMatcher, globMatcher, labelMatcher, type Matcher } from './patterns.js';
import { capText, compileRegex } from './regex.js';
import type { Condition } from './schema.js';
import { authorUsername, STATE_COMPILERS, STATE_COST } from './state-conditions.js';

type Compiler<K extends keyof Condition> = (value: NonNullable<Condition[K]>) => Evaluator;

const COMPILERS: { [K in keyof Condition]-?: Compiler<K> } = {
  labels: ({ all, any, none }) => {
    const allOf = (all ?? []).map(labelMatcher);
    const anyOf = any && anyLabelMatcher(any);
    const noneOf = none && anyLabelMatcher(none);
    return withSubject(true, (subject) => {
      const labels = subject.labels;
      if (!allOf.every((match) => labels.some(match))) return false;
      if (anyOf && !labels.some(anyOf)) return false;
      return !(noneOf && labels.some(noneOf));
    });
  },
  label_added: (patterns) => {
    const match = anyLabelMatcher(patterns);
    return ({ event }) => event.labels_changed?.added.some(match) ?? false;
  },
  label_removed: (patterns) => {
    const match = anyLabelMatcher(patterns);
    return ({ event }) => event.labels_changed?.removed.some(match) ?? false;
  },
  title: (spec) => {
    const test = textTest(spec);
    return withSubject(false, (subject) => test(subject.title));
  },
  description: (spec) => {
    const test = textTest(spec);
    return withSubject(true, (subject) => test(subject.description));
  },
  author: (spec) => {
    const test = userTest(spec);
    return (ctx) => {
      const subject = ctx.event.subject;
      if (!subject) return false;
      const username = authorUsername(ctx, subject);
      return username === undefined ? undefined : test(username);
    };
  },
  user: (spec) => {
    if ('access' in spec) {
      const needed = ACCESS_LEVELS[spec.access];
      return (ctx) => {
        if (ctx.facts.accessLevel !== undefined) return ctx.facts.accessLevel >= needed;
        ctx.missing.add('access');
        return undefined;
      };
    }
    if ('is' in spec) {
      return (ctx) => {
        const subject = ctx.event.subject;
        if (!subject) return false;
        if (!subject.complete) {
          ctx.missing.add('subject');
          return undefined;
        }
        return subject.author_id === ctx.event.user.id;
      };
    }
    const test = userTest(spec);
    return ({ event }) => test(event.user.username);
  },
  args: ({ only, min, max }) => {
    const allowed = only && anyLabelMatcher(only);
    return ({ event, ignoreArgs }) => {
      if (ignoreArgs) return true;
      const args = event.command?.args ?? [];
      if (min !== undefined && args.length < min) return false;
      if (max !== undefined && args.length > max) return false;
      // GitLab reads a comma in a label or user list as a separator: `~"priority::1,security"` would be
      // two labels, the second never checked against `only`. Such an argument is never allowed.
      if (args.some((arg) => arg.value.includes(','))) return false;
      return !allowed || args.every((arg) => allowed(arg.value));
    };
  },
  created: (age) => ageTest(age, (subject) => subject.created_at),
  updated: (age) => ageTest(age, (subject) => subject.updated_at),
  merged: (age) => ageTest(age, (subject) => subject.merged_at),
  on_mr: () => ({ event }) => event.subject?.type === 'merge_request',
  on_issue: () => ({ event }) => event.subject?.type === 'issue',
  source_branch: (globs) => branchTest(globMatcher(globs), (s) => s.source_branch),
  target_branch: (globs) => branchTest(globMatcher(globs), (s) => s.target_branch),
  draft: (expected) => withSubject(true, (subject) => (subject.draft ?? false) === expected),
  state: (states) => withSubject(false, (subject) => states.includes(subject.state as never)),
  files: ({ any, all, none }) => {
    const anyOf = any && globMatcher(any);
    const allOf = all && globMatcher(all);
    const noneOf = none && globMatcher(none);
    return withDiffs(({ paths }) => {
      if (anyOf && !paths.some(anyOf)) return false;
      // "Every changed path matches" needs at least one changed path, or an empty merge request would match.
      if (allOf && (paths.length === 0 || !paths.every(allOf))) return false;
      return !(noneOf && paths.some(noneOf));
    });
  },
  changed_lines: ({ greater_than, less_than }) =>
    // When GitLab left some diffs out, the count is a lower bound: it can prove "more than", never "less than".
    withDiffs(({ changedLines, incomplete }) =>
      (greater_than === undefined || changedLines > greater_than) && (less_than === undefined || (!incomplete && changedLines < less_than)),
    ),
  any: (conditions) => {
    const parts = conditions.map(compileCondition);
    return (ctx) => {
      let result: Tri = false;
      for (const part of parts) {
        const value = part(ctx);
        if (value === true) return true;
        if (value === undefined) result = undefined;
      }
      return result;
    };
  },
  all: (conditions) => allOf(conditions.map(compileCondition)),
  not: (condition) => {
    const inner = compileCondition(condition);
    return (ctx) => {
      const value = inner(ctx);
      return value === undefined ? undefined : !value;
    };
  },
  ...STATE_COMPILERS,
};

/** Order of evaluation: the payload first, then one read of the object, then the costlier reads, then nested conditions. */
const COST: Partial<Record<keyof Condition, number>> = {
  ...STATE_COST,
  author: 1,
  user: 1,
  files: 3,
  changed_lines: 3,
  any: 4,
  all: 4,
  not: 4,
};

/** Compiles a condition object: all of its keys must hold. Cheap keys are checked before ones that may need API calls. */
export function compileCondition(condition: Condition): Evaluator {
  const parts = conditionKeys(condition).map((key) => (COMPILERS[key] as Compiler<typeof key>)(condition[key] as never));
  return parts.length === 1 ? parts[0]! : allOf(parts);
}

/** The keys of a condition object in the order they are evaluated: cheap ones first, those that may need API calls last. */
export function conditionKeys(condition: Condition): (keyof Condition)[] {
  const keys = (Object.keys(condition) as (keyof Condition)[]).filter((key) => condition[key] !== undefined);
  return keys.sort((a, b) => (COST[a] ?? 0) - (COST[b] ?? 0));
}

/**
 * Every part must hold. Parts after the first unknown one are still checked, since one of them may
 * already be false, but the facts they ask for are not: those are read only once the earlier parts
 * (ordered cheapest first) are known to hold.
 */
function allOf(parts: Evaluator[]): Evaluator {
  return (ctx) => {
    let result: Tri = true;
    let asked: Fact[] | undefined;
    for (const part of parts) {
      const value = part(ctx);
      if (value === false) return false;
      if (value === undefined && asked === undefined) {
        result = undefined;
        asked = [...ctx.missing];
      }
    }
    if (asked) {
      ctx.missing.clear();
      for (const fact of asked) ctx.missing.add(fact);
    }
    return result;
  };
}

/** Runs `test` on the event's subject; false without one; unknown while a needed part of it was not read. */
function withSubject(needsDetails: boolean, test: (subject: Subject) => boolean): Evaluator {
  return (ctx) => {
    const subject = ctx.event.subject;
    if (!subject) return false;
    if (needsDetails && !subject.complete) {
      ctx.missing.add('subject');
      return undefined;
    }
    return test(subject);
  };
}

function withDiffs(test: (diffs: NonNullable<MatchContext['facts']['diffs']>) => boolean): Evaluator {
  return (ctx) => {
    if (ctx.event.subject?.type !== 'merge_request') return false;
    const diffs = ctx.facts.diffs;
    if (!diffs) {
      ctx.missing.add('diffs');
      return undefined;
    }
    return test(diffs);
  };
}

/** `{older_than, newer_than}` (ms) against one of the subject's timestamps, measured from `ctx.now`. */
function ageTest(age: { older_than?: number | undefined; newer_than?: number | undefined }, pick: (subject: Subject) => Date | undefined): Evaluator {
  return (ctx) => {
    const subject = ctx.event.subject;
    if (!subject) return false;
    const date = pick(subject);
    if (date === undefined && !subject.complete) {
      ctx.missing.add('subject');
      return undefined;
    }
    if (date === undefined) return false;
    const elapsed = ctx.now - date.getTime();
    return (age.older_than === undefined || elapsed > age.older_than) && (age.newer_than === undefined || elapsed < age.newer_than);
  };
}

function branchTest(match: Matcher, pick: (subject: Subject) => string | undefined): Evaluator {
  return withSubject(false, (subject) => {
    const branch = pick(subject);
    return branch !== undefined && match(branch);
  });
}

/** `matches` (RE2) or `contains`; either looks at the text's first MAX_MATCHED_LENGTH characters only. */
function textTest(spec: { matches: string; ignore_case?: boolean | undefined } | { contains: string; ignore_case?: boolean | undefined }) {
  if ('matches' in spec) {
    const compiled = compileRegex(spec.matches, { ignoreCase: spec.ignore_case });
    if ('error' in compiled) throw new Error(`pattern was validated by the schema: ${compiled.error}`);
    return compiled.test;
  }
  // `contains` is linear anyway; it is capped too so that both forms see the same text.
  if (spec.ignore_case) {
    const needle = spec.contains.toLowerCase();
    return (text: string) => capText(text).toLowerCase().includes(needle);
  }
  return (text: string) => capText(text).includes(spec.contains);
}

/** GitLab usernames are case-insensitive. */
function userTest(spec: { in: string[] } | { not_in: string[] }) {
  const names = new Set(('in' in spec ? spec.in : spec.not_in).map((name) => name.toLowerCase()));
  const wanted = 'in' in spec;
  return (username: string) => names.has(username.toLowerCase()) === wanted;
}

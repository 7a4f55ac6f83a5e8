// Says, in words addressed to the person who wrote the command, which requirement of a command rule they did not meet.
import { ACCESS_LEVELS, anyLabelMatcher, roleName, unmetConditions, type Condition, type Facts, type Rule, type Unmet } from '../rules/index.js';
import type { RuleEvent } from '../event/event.js';

/**
 * Why `rule` does not hold for this command event, as sentences; empty if it holds. Which conditions
 * fail is decided by `unmetConditions`, the explanation decision records use too; this only words them.
 */
export function explainRule(rule: Rule, event: RuleEvent, facts: Facts): string[] {
  return rule.when ? explainCondition(rule.when, event, facts) : [];
}

/** Why `condition` does not hold for this command event, as sentences; empty if it holds. */
export function explainCondition(condition: Condition, event: RuleEvent, facts: Facts): string[] {
  return words(unmetConditions(condition, { event, facts, missing: new Set(), now: Date.now() }), event, facts);
}

/**
 * Requirements known to be unmet are said; a condition left unchecked (another requirement failed
 * first, so a fact was never read) only when none is known to be unmet, in words, without what the
 * user has.
 */
function words(unmet: readonly Unmet[], event: RuleEvent, facts: Facts): string[] {
  const failed = unmet.filter((entry) => !entry.undecided);
  return (failed.length > 0 ? failed : unmet).flatMap((entry) => sentences(entry, event, facts));
}

function sentences(unmet: Unmet, event: RuleEvent, facts: Facts): string[] {
  if (unmet.key === 'any' && unmet.alternatives) {
    const branches = unmet.alternatives.map((branch) => words(branch, event, facts).join(' and '));
    return [branches.filter((text) => text !== '').join('; or ')];
  }
  // The conditions on GitLab's state word themselves (`needs the pipeline to have succeeded; it is running`).
  if (unmet.needs !== undefined) return [`\`${event.command?.name ?? ''}\` needs ${unmet.needs}${unmet.has ? `; ${unmet.has}` : ''}`];
  return describe(unmet.key, unmet.value, event, facts);
}

function describe(key: keyof Condition, value: unknown, event: RuleEvent, facts: Facts): string[] {
  const command = `\`${event.command?.name ?? ''}\``;
  const thing = event.subject?.type === 'issue' ? 'issue' : 'merge request';
  switch (key) {
    case 'user': {
      const spec = value as NonNullable<Condition['user']>;
      if ('access' in spec) {
        const needed = roleName(ACCESS_LEVELS[spec.access]);
        if (facts.accessLevel === undefined) return [`${command} needs the ${needed} role or higher in this project`];
        const has = facts.accessLevel > 0 ? roleName(facts.accessLevel) : undefined;
        return [`${command} needs the ${needed} role or higher in this project; you have ${has ? `the ${has} role` : 'no role'}`];
      }
      if ('is' in spec) return [`only the author of this ${thing} may use ${command}`];
      if ('in' in spec) return [`only ${spec.in.map((name) => `\`${name}\``).join(', ')} may use ${command}`];
      return [`you may not use ${command}`];
    }
    case 'args': {
      const spec = value as NonNullable<Condition['args']>;
      const args = event.command?.args ?? [];
      if (spec.min !== undefined && args.length < spec.min) return [`${command} needs at least ${count(spec.min, 'argument')}`];
      if (spec.max !== undefined && args.length > spec.max) return [spec.max === 0 ? `${command} takes no arguments` : `${command} takes at most ${count(spec.max, 'argument')}`];
      const withComma = args.filter((arg) => arg.value.includes(','));
      if (withComma.length > 0) return withComma.map((arg) => `\`${arg.raw}\` contains a comma, which GitLab would read as two names`);
      const allowed = anyLabelMatcher(spec.only ?? []);
      const refused = args.filter((arg) => !allowed(arg.value));
      return refused.map((arg) =>
        arg.kind === 'label'
          ? `\`${arg.raw}\` is not one of the labels you may set with ${command}: allowed are ${spec.only?.join(', ')}`
          : `\`${arg.raw}\` is not an argument ${command} accepts: allowed are ${spec.only?.join(', ')}`,
      );
    }
    case 'on_mr':
      return [`${command} works only on merge requests`];
    case 'on_issue':
      return [`${command} works only on issues`];
    // Left unchecked as a whole (decided ones arrive as their parts or alternatives): each part in words.
    case 'any': {
      const branches = (value as Condition[]).map((branch) => explainCondition(branch, event, facts).join(' and '));
      return [branches.filter((text) => text !== '').join('; or ')];
    }
    case 'all':
      return (value as Condition[]).flatMap((part) => explainCondition(part, event, facts));
    default:
      // Conditions about the merge request or issue itself (labels, state, branches, …); those on
      // what GitLab keeps beyond the payload (pipeline, approvals, …) say what they need above.
      return [`${command} does not apply to this ${thing} as it is now`];
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

// Says, in words, which requirement of a command rule the user did not meet.
import { ACCESS_LEVELS, anyLabelMatcher, compileCondition, roleName, type Condition, type Facts, type Rule } from '../rules/index.js';
import type { RuleEvent } from '../event/event.js';

/** Why `rule` does not hold for this command event, as sentences; empty if it holds. */
export function explainRule(rule: Rule, event: RuleEvent, facts: Facts): string[] {
  return rule.when ? explainCondition(rule.when, event, facts) : [];
}

function explainCondition(condition: Condition, event: RuleEvent, facts: Facts): string[] {
  const unmet: string[] = [];
  const unchecked: string[] = [];
  for (const [key, value] of Object.entries(condition) as [keyof Condition, unknown][]) {
    if (value === undefined) continue;
    const outcome = compileCondition({ [key]: value } as Condition)({ event, facts, missing: new Set(), now: Date.now() });
    if (outcome === true) continue;
    // Not checked (another requirement failed first, so a fact was never read): said only when no
    // requirement is known to be unmet, in words, without what the user has.
    (outcome === false ? unmet : unchecked).push(...describe(key, value, event, facts));
  }
  return unmet.length > 0 ? unmet : unchecked;
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
      if (spec.max !== undefined && args.length > spec.max) return [`${command} takes at most ${count(spec.max, 'argument')}`];
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
    case 'any': {
      const branches = (value as Condition[]).map((branch) => explainCondition(branch, event, facts).join(' and '));
      return [branches.filter((text) => text !== '').join('; or ')];
    }
    case 'all':
      return (value as Condition[]).flatMap((part) => explainCondition(part, event, facts));
    default:
      // Conditions about the merge request or issue itself (labels, state, branches, …).
      return [`${command} does not apply to this ${thing} as it is now`];
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

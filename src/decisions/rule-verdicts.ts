// Every rule that listened to an event, fired or not, and for the others the first condition that did not hold.
import { describeUnmet, ruleSource, unmetConditions, type Fact, type Facts, type Rule } from '../rules/index.js';
import type { RuleEvent } from '../event/event.js';
import type { RuleVerdict } from '../store/index.js';

export interface DecisionSeen {
  matched: readonly Rule[];
  undecided: readonly { rule: string; reason: string }[];
  /** The event and the facts read to decide. */
  state: { event: RuleEvent; facts: Facts };
}

/**
 * The verdict of each of `rules` (those that listened, in rule order). Explanations are worked out
 * here, for the rules that did not fire, and only when a record is made: matching itself stays as
 * cheap as it was. `decision` is undefined when the attempt failed before the rules were decided.
 */
export function ruleVerdicts(rules: readonly Rule[], decision: DecisionSeen | undefined, now: number, failure?: string): RuleVerdict[] {
  const matched = decision?.matched ?? [];
  const undecided = decision?.undecided ?? [];
  return rules.map((rule): RuleVerdict => {
    // A rule that fired always reads the same: one verdict per rule, made once.
    if (matched.includes(rule)) return firedVerdict(rule);
    const source = sourceOf(rule);
    if (!decision) {
      const reason = `not decided: the attempt failed first${failure ? ` (${failure})` : ''}`;
      return { name: rule.name, source, fired: false, reason, condition: null, expected: null, found: null, undecided: true };
    }
    const ctx = { event: decision.state.event, facts: decision.state.facts, missing: new Set<Fact>(), now };
    const why = undecided.find((entry) => entry.rule === rule.name)?.reason;
    if (why !== undefined) {
      // The first condition that waits on the fact that could not be read.
      const waiting = rule.when ? unmetConditions(rule.when, ctx).find((unmet) => unmet.undecided) : undefined;
      const where = waiting ? `${waiting.path}: ` : '';
      return { name: rule.name, source, fired: false, reason: `${where}could not be decided: ${why}`, condition: waiting?.path ?? null, expected: waiting?.expected ?? null, found: why, undecided: true };
    }
    const unmet = rule.when ? unmetConditions(rule.when, ctx, { first: true })[0] : undefined;
    if (!unmet) return { name: rule.name, source, fired: false, reason: 'not decided', condition: null, expected: null, found: null, undecided: true };
    return { name: rule.name, source, fired: false, reason: describeUnmet(unmet), condition: unmet.path, expected: unmet.expected, found: unmet.found, undecided: unmet.undecided };
  });
}

const fired = new WeakMap<Rule, RuleVerdict>();
const sources = new WeakMap<Rule, string>();

function firedVerdict(rule: Rule): RuleVerdict {
  let verdict = fired.get(rule);
  if (!verdict) fired.set(rule, (verdict = Object.freeze({ name: rule.name, source: sourceOf(rule), fired: true, reason: null, condition: null, expected: null, found: null, undecided: false })));
  return verdict;
}

function sourceOf(rule: Rule): string {
  let source = sources.get(rule);
  if (source === undefined) sources.set(rule, (source = ruleSource(rule)));
  return source;
}

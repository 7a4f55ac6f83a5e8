// Matches an event against the rule set, reporting which rules hold and which wait on facts not yet read.
import type { RuleEvent } from '../event/event.js';
import type { Fact, Facts } from './context.js';
import type { Rule } from './rule.js';
import type { RuleSet } from './rule-set.js';

export interface MatchResult {
  matched: Rule[];
  /** Rules whose outcome depends on `missing` facts. */
  pending: Rule[];
  missing: Set<Fact>;
  /** For each pending rule, the facts its outcome waits on. */
  needs: Map<Rule, ReadonlySet<Fact>>;
}

/** Evaluates `rules` (by default every candidate for the event) with the facts known so far. */
export function matchRules(
  ruleSet: RuleSet,
  event: RuleEvent,
  facts: Facts,
  rules?: readonly Rule[],
  options: { ignoreArgs?: boolean; now?: number } = {},
): MatchResult {
  const result: MatchResult = { matched: [], pending: [], missing: new Set(), needs: new Map() };
  // One set reused for every rule: most rules need no fact, and matching 1,000 rules must stay cheap.
  const ctx = { event, facts, missing: new Set<Fact>(), ignoreArgs: options.ignoreArgs, now: options.now ?? Date.now() };
  for (const rule of rules ?? ruleSet.candidates(event)) {
    if (!rule.inProject(event.project.path_with_namespace)) continue;
    ctx.missing.clear();
    const outcome = rule.condition(ctx);
    if (outcome === true) result.matched.push(rule);
    else if (outcome === undefined) {
      result.pending.push(rule);
      result.needs.set(rule, new Set(ctx.missing));
      for (const fact of ctx.missing) result.missing.add(fact);
    }
  }
  return result;
}

// Decides which rules hold for an event, reading the facts (API calls) their outcome depends on.
import { GitLabApiError } from '../errors.js';
import { activityIgnores, matchRules, type Fact, type Facts, type Rule } from '../rules/index.js';
import type { RuleEvent } from '../event/event.js';
import { loadFact, type FactSources } from './facts.js';
import type { EventOutcome, ProcessDeps } from './process-deps.js';

/**
 * At most this many rounds of fact reading: the object, then the author, approvals, threads or diffs,
 * each read only once the cheaper conditions before it hold.
 */
const MAX_FACT_ROUNDS = 6;

export interface Decision {
  matched: Rule[];
  undecided: EventOutcome['undecided'];
  /** The event and facts after every fact read for the decision (details, author, role, diffs). */
  state: { event: RuleEvent; facts: Facts };
}

/**
 * Decides which of `rules` (default: every candidate for the event) hold, reading the facts their
 * outcome depends on, a round at a time: one fact may reveal that another is needed.
 */
export async function decideRules(
  input: RuleEvent,
  deps: ProcessDeps,
  options: { rules?: readonly Rule[]; ignoreArgs?: boolean; facts?: Facts } = {},
): Promise<Decision> {
  const state: Decision['state'] = { event: input, facts: { ...options.facts } };
  const undecided: EventOutcome['undecided'] = [];
  let ignores: Set<string> | undefined;
  const sources: FactSources = {
    ...deps,
    // A schedule acts as the bot; on webhook events the bot is known once the engine asked GitLab.
    botUsername: deps.effects?.botUsername ?? deps.botUsername ?? (input.kind === 'schedule' ? input.user.username : undefined),
    activityIgnore: () => (ignores ??= (options.rules ?? deps.rules.rules).reduce((into, rule) => activityIgnores(rule.when, into), new Set<string>())),
  };
  const now = (deps.now ?? Date.now)();
  const match = (rules: readonly Rule[] | undefined) => matchRules(deps.rules, state.event, state.facts, rules, { ...options, now });

  const first = match(options.rules);
  const matched: Rule[] = [...first.matched];
  let { pending, needs } = first;
  // A fact that could not be read (404, 403) leaves undecided only the rules that wait on nothing
  // else: the others go on with what was read.
  const failed = new Map<Fact, string>();
  for (let round = 0; pending.length > 0 && round < MAX_FACT_ROUNDS; round++) {
    const toRead = new Set([...pending].flatMap((rule) => [...(needs.get(rule) ?? [])]).filter((fact) => !failed.has(fact)));
    for (const fact of toRead) {
      const problem = await readFact(fact, state, sources);
      if (problem) failed.set(fact, problem);
    }
    const next = match(pending);
    matched.push(...next.matched);
    pending = [];
    for (const rule of next.pending) {
      const waitsOn = [...(next.needs.get(rule) ?? [])];
      if (waitsOn.length > 0 && waitsOn.every((fact) => failed.has(fact))) {
        undecided.push({ rule: rule.name, reason: [...new Set(waitsOn.map((fact) => failed.get(fact)!))].join('; ') });
      } else pending.push(rule);
    }
    needs = next.needs;
  }
  // Still waiting after every round: each round read what was asked, so a rule here needs more than one event reads.
  for (const rule of pending) undecided.push({ rule: rule.name, reason: `still undecided after ${MAX_FACT_ROUNDS} rounds of reading facts from GitLab` });
  matched.sort((a, b) => a.order - b.order);
  return { matched, undecided, state };
}

/** Reads one fact into `state`; returns why it could not be read, or throws when a retry may help. */
export async function readFact(fact: Fact, state: { event: RuleEvent; facts: Facts }, sources: FactSources): Promise<string | undefined> {
  try {
    Object.assign(state, await loadFact(fact, state.event, state.facts, sources));
    return undefined;
  } catch (error) {
    if (error instanceof GitLabApiError && error.retryable) throw error;
    return error instanceof Error ? error.message : String(error);
  }
}


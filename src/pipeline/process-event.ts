// Carries one event through matching, fact reading, planning and the GitLab calls (or their dry-run log).
import { resolveUsernames, type Fact, type Rule } from '../rules/index.js';
import type { RuleEvent } from '../event/event.js';
import { decideRules, readFact, type Decision } from './decide.js';
import { executeCalls } from './execute.js';
import type { FactSources } from './facts.js';
import { planActions } from './plan.js';
import type { EventOutcome, ProcessDeps } from './process-deps.js';

/**
 * Processes one event: decides the rules, reads what their actions need, plans and makes the calls
 * (or logs them in dry-run). Calls carry the event's `X-Gitlab-Event-UUID` (through `gitlab`), so
 * GitLab's own loop detection covers the hooks they trigger.
 */
export async function processEvent(
  input: RuleEvent,
  deps: ProcessDeps,
  options: { rules?: readonly Rule[]; deferReactions?: boolean; seen?: { decision?: Decision } } = {},
): Promise<EventOutcome> {
  const decision = await decideRules(input, deps, options);
  // Kept in `seen` before acting, so that what was decided is known even when a call then fails.
  if (options.seen) options.seen.decision = decision;
  return actOnDecision(decision, deps, options);
}

/** Reads what the matched rules' actions need, plans the calls and makes them (or logs them in dry-run). */
export async function actOnDecision(
  { matched, undecided, state }: Decision,
  deps: ProcessDeps,
  options: { deferReactions?: boolean } = {},
): Promise<EventOutcome> {
  const factWarnings: string[] = [];
  const sources: FactSources = { ...deps };

  // Facts the actions themselves need: the author for templates, the full object before replacing assignees.
  const actionFacts = new Set<Fact>(matched.flatMap((rule) => rule.actionFacts));
  const subject = state.event.subject;
  if (subject && !subject.people_known && matched.some((rule) => rule.then.assign || rule.then.request_review)) actionFacts.add('subject');
  // Without the object's details (pipeline payloads) its author is unknown too: reading it tells both.
  if (subject && !subject.complete && actionFacts.has('author')) actionFacts.add('subject');
  for (const fact of ['subject', 'author'] as const) {
    if (!actionFacts.has(fact) || (fact === 'author' && state.facts.authorUsername !== undefined)) continue;
    const problem = await readFact(fact, state, sources);
    if (problem) factWarnings.push(problem);
  }

  const userIds = deps.offline ? undefined : await lookUpUsers(matched, state.event, state.facts.authorUsername, deps);
  const plan = planActions({
    event: state.event,
    rules: matched,
    userIds,
    authorUsername: state.facts.authorUsername,
    labelsCurrent: !deps.effects?.retrying,
  });
  const warnings = [...factWarnings, ...plan.warnings];
  const outcome = { matched: matched.map((rule) => rule.name), calls: plan.calls, warnings, unknownUsers: plan.unknownUsers, undecided, state };
  for (const warning of warnings) deps.log.warn(warning);
  for (const { rule, reason } of undecided) deps.log.warn('rule not evaluated', { rule, reason });

  // Commands of one note react once per emoji at the end, so they may hold their reactions back.
  await executeCalls(options.deferReactions ? plan.calls.filter((call) => call.kind !== 'reaction') : plan.calls, deps);
  return outcome;
}

/** The ids of the users the matched rules name; the event's own user is known without asking. */
async function lookUpUsers(rules: readonly Rule[], event: RuleEvent, authorUsername: string | undefined, deps: ProcessDeps): Promise<Map<string, number>> {
  const names = new Set(rules.flatMap((rule) => [rule.then.assign, rule.then.request_review].flatMap((list) => resolveUsernames(list, event, authorUsername).usernames)));
  const ids = new Map<string, number>();
  for (const name of names) {
    if (event.user.id > 0 && name.toLowerCase() === event.user.username.toLowerCase()) {
      ids.set(name.toLowerCase(), event.user.id);
      continue;
    }
    const user = await deps.users.findByUsername(deps.gitlab, name);
    if (user) ids.set(name.toLowerCase(), user.id);
  }
  return ids;
}

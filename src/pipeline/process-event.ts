// Carries one event through matching, fact reading, planning and the GitLab calls (or their dry-run log).
import { resolveUsernames, type Fact, type Rule } from '../rules/index.js';
import type { RuleEvent } from '../event/event.js';
import { ActionError, GitLabApiError } from '../errors.js';
import { decideRules, readFact, type Decision } from './decide.js';
import { executeCalls } from './execute.js';
import type { FactSources } from './facts.js';
import { planActions, reviewersOf } from './plan.js';
import { pickReviewers, ReviewLoadCache } from './review-picks.js';
import { ensureDeclaredLabels, KnownLabels } from './ensure-labels.js';
import type { EventOutcome, ProcessDeps } from './process-deps.js';
import { findMilestone } from '../gitlab/index.js';

/**
 * Processes one event: decides the rules, reads what their actions need, plans and makes the calls
 * (or logs them in dry-run). Calls carry the event's `X-Gitlab-Event-UUID` (through `gitlab`), so
 * GitLab's own loop detection covers the hooks they trigger.
 */
export async function processEvent(
  input: RuleEvent,
  deps: ProcessDeps,
  options: { rules?: readonly Rule[]; deferReactions?: boolean; keepGoing?: boolean; seen?: { decision?: Decision } } = {},
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
  options: { deferReactions?: boolean; keepGoing?: boolean } = {},
): Promise<EventOutcome> {
  const factWarnings: string[] = [];
  const sources: FactSources = { ...deps };

  // Facts the actions themselves need: the author for templates, the full object before replacing assignees.
  const actionFacts = new Set<Fact>(matched.flatMap((rule) => rule.actionFacts));
  const subject = state.event.subject;
  const changesPeople = (rule: Rule) => rule.then.assign || rule.then.request_review || rule.then.unassign || rule.then.remove_reviewers;
  if (subject && !subject.people_known && matched.some(changesPeople)) actionFacts.add('subject');
  // Without the object's details (pipeline payloads) its author is unknown too: reading it tells both.
  if (subject && !subject.complete && actionFacts.has('author')) actionFacts.add('subject');
  for (const fact of ['subject', 'author'] as const) {
    if (!actionFacts.has(fact) || (fact === 'author' && state.facts.authorUsername !== undefined)) continue;
    const problem = await readFact(fact, state, sources);
    if (problem) factWarnings.push(problem);
  }

  const now = (deps.now ?? Date.now)();
  const picks =
    deps.offline || state.event.subject?.type !== 'merge_request'
      ? undefined
      : await pickReviewers(matched, state.event, {
          gitlab: deps.gitlab,
          cache: deps.reviewLoads ?? new ReviewLoadCache(),
          now,
          authorUsername: state.facts.authorUsername ?? authorIfActor(state.event),
        });
  const userIds = deps.offline ? undefined : await lookUpUsers(matched, state.event, state.facts.authorUsername, deps, picks);
  const milestoneIds = deps.offline ? undefined : await resolveMilestones(matched, state.event.project.id, deps);
  const plan = planActions({
    event: state.event,
    rules: matched,
    userIds,
    authorUsername: state.facts.authorUsername,
    labelsCurrent: !deps.effects?.retrying,
    milestoneIds,
    now,
    picks,
  });
  const warnings = [...factWarnings, ...plan.warnings];
  const outcome = { matched: matched.map((rule) => rule.name), calls: plan.calls, warnings, unknownUsers: plan.unknownUsers, undecided, state };
  for (const warning of warnings) deps.log.warn(warning);
  for (const { rule, reason } of undecided) deps.log.warn('rule not evaluated', { rule, reason });

  // A declared label an edit adds exists, with its color, before the edit.
  if (!deps.offline && deps.rules.labels.size > 0) {
    try {
      const created = await ensureDeclaredLabels(plan.calls, state.event.project.id, deps.rules.labels, { gitlab: deps.gitlab, known: deps.knownLabels ?? new KnownLabels(), dryRun: deps.dryRun });
      if (created.length > 0) deps.log.info('declared labels created', { labels: created });
    } catch (error) {
      // Reported like the edit it prepares (a command's reply names it).
      if (error instanceof GitLabApiError && !(error instanceof ActionError)) throw new ActionError('labels', error);
      throw error;
    }
  }
  // Commands of one note react once per emoji at the end, so they may hold their reactions back.
  const notMade = await executeCalls(options.deferReactions ? plan.calls.filter((call) => call.kind !== 'reaction') : plan.calls, deps, { keepGoing: options.keepGoing ?? false });
  const { previews, ...left } = notMade;
  return { ...outcome, ...(left.refused.length > 0 && { notMade: left }), ...(previews.size > 0 && { previews }) };
}

/** The ids of the users the matched rules name; the event's own user is known without asking. */
async function lookUpUsers(
  rules: readonly Rule[],
  event: RuleEvent,
  authorUsername: string | undefined,
  deps: ProcessDeps,
  picks: ReadonlyMap<string, string[]> | undefined,
): Promise<Map<string, number>> {
  const listed = (value: true | string[] | undefined) => (Array.isArray(value) ? value : undefined);
  const names = new Set(
    rules.flatMap((rule) =>
      [rule.then.assign, reviewersOf(rule, picks), listed(rule.then.unassign), listed(rule.then.remove_reviewers)].flatMap(
        (list) => resolveUsernames(list, event, authorUsername).usernames,
      ),
    ),
  );
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

/** Looks up each milestone title matched rules set, in the project and its groups: one call per title. */
async function resolveMilestones(rules: readonly Rule[], projectId: number, deps: ProcessDeps): Promise<Map<string, number>> {
  const titles = new Set(rules.flatMap((rule) => (typeof rule.then.milestone === 'string' ? [rule.then.milestone] : [])));
  const ids = new Map<string, number>();
  for (const title of titles) {
    const id = await findMilestone(deps.gitlab, projectId, title);
    if (id !== undefined) ids.set(title, id);
  }
  return ids;
}

/** The author's username when the event's user wrote the item (most events: opening, pushing). */
function authorIfActor(event: RuleEvent): string | undefined {
  return event.subject?.author_id === event.user.id && event.user.username ? event.user.username : undefined;
}

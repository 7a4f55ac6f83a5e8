// Carries one event through matching, fact reading, planning and the GitLab calls (or their dry-run log).
import { GitLabApiError } from '../errors.js';
import type { Diff, GitLabClient, MemberDirectory, UserDirectory } from '../gitlab/index.js';
import type { Logger } from '../log.js';
import { matchRules, type Fact, type Facts, type Rule, type RuleSet } from '../rules/index.js';
import type { RuleEvent } from '../webhook/event.js';
import type { ApiCall } from './api-call.js';
import { loadFact, type DiffCache, type FactSources } from './facts.js';
import { planActions, withArgs } from './plan.js';

export interface ProcessDeps {
  rules: RuleSet;
  gitlab: GitLabClient;
  users: UserDirectory;
  members: MemberDirectory;
  diffCache: DiffCache;
  log: Logger;
  /** Plan and log the writes instead of sending them. */
  dryRun: boolean;
  /** Changed files given up front instead of read from GitLab (`rulebot simulate --diffs`). */
  diffs?: Diff[] | undefined;
  /** When set, GitLab is not asked at all (simulating without a token); this says why. */
  offline?: string | undefined;
}

export interface EventOutcome {
  matched: string[];
  calls: ApiCall[];
  warnings: string[];
  /** Rules whose outcome could not be decided because a fact could not be read. */
  undecided: { rule: string; reason: string }[];
  /** The event and the facts read while processing it. */
  state: { event: RuleEvent; facts: Facts };
}

/** At most this many rounds of fact reading: subject, then author or diffs. */
const MAX_FACT_ROUNDS = 3;

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
  options: { rules?: readonly Rule[]; ignoreArgs?: boolean } = {},
): Promise<Decision> {
  const state: Decision['state'] = { event: input, facts: {} };
  const undecided: EventOutcome['undecided'] = [];
  const sources: FactSources = { ...deps };
  const match = (rules: readonly Rule[] | undefined) => matchRules(deps.rules, state.event, state.facts, rules, options);

  const first = match(options.rules);
  const matched: Rule[] = [...first.matched];
  let { pending, missing } = first;
  for (let round = 0; pending.length > 0 && round < MAX_FACT_ROUNDS; round++) {
    const failed = new Map<Fact, string>();
    for (const fact of missing) {
      const problem = await readFact(fact, state, sources);
      if (problem) failed.set(fact, problem);
    }
    if (failed.size > 0) {
      const reason = [...failed.values()].join('; ');
      for (const rule of pending) undecided.push({ rule: rule.name, reason });
      break;
    }
    const next = match(pending);
    matched.push(...next.matched);
    ({ pending, missing } = next);
  }
  matched.sort((a, b) => a.order - b.order);
  return { matched, undecided, state };
}

/**
 * Processes one event: decides the rules, reads what their actions need, plans and makes the calls
 * (or logs them in dry-run). Calls carry the event's `X-Gitlab-Event-UUID` (through `gitlab`), so
 * GitLab's own loop detection covers the hooks they trigger.
 */
export async function processEvent(
  input: RuleEvent,
  deps: ProcessDeps,
  options: { rules?: readonly Rule[]; deferReactions?: boolean } = {},
): Promise<EventOutcome> {
  const { matched, undecided, state } = await decideRules(input, deps, options);
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

  const args = state.event.command?.args.map((arg) => arg.value) ?? [];
  const userIds = deps.offline ? undefined : await resolveUsers(matched, args, deps);
  const plan = planActions({ event: state.event, rules: matched, userIds, authorUsername: state.facts.authorUsername });
  const warnings = [...factWarnings, ...plan.warnings];
  const outcome = { matched: matched.map((rule) => rule.name), calls: plan.calls, warnings, undecided, state };
  for (const warning of warnings) deps.log.warn(warning);
  for (const { rule, reason } of undecided) deps.log.warn('rule not evaluated', { rule, reason });

  // Commands of one note react once per emoji at the end, so they may hold their reactions back.
  await executeCalls(options.deferReactions ? plan.calls.filter((call) => call.reaction === undefined) : plan.calls, deps);
  return outcome;
}

/** Makes the planned calls in order, or in dry-run logs each one instead. */
export async function executeCalls(calls: readonly ApiCall[], deps: Pick<ProcessDeps, 'gitlab' | 'log' | 'dryRun'>): Promise<void> {
  for (const call of calls) {
    if (deps.dryRun) {
      deps.log.info('dry run: would call GitLab', { method: call.method, path: call.path, body: call.body, rules: call.rules });
      continue;
    }
    await deps.gitlab.request(call.method, call.path, { body: call.body });
  }
}

/** Reads one fact into `state`; returns why it could not be read, or throws when a retry may help. */
async function readFact(fact: Fact, state: { event: RuleEvent; facts: Facts }, sources: FactSources): Promise<string | undefined> {
  try {
    Object.assign(state, await loadFact(fact, state.event, state.facts, sources));
    return undefined;
  } catch (error) {
    if (error instanceof GitLabApiError && error.retryable) throw error;
    return error instanceof Error ? error.message : String(error);
  }
}

async function resolveUsers(rules: readonly Rule[], args: readonly string[], deps: ProcessDeps): Promise<Map<string, number>> {
  const names = new Set(rules.flatMap((rule) => withArgs([...(rule.then.assign ?? []), ...(rule.then.request_review ?? [])], args)));
  const ids = new Map<string, number>();
  for (const name of names) {
    const user = await deps.users.findByUsername(deps.gitlab, name);
    if (user) ids.set(name.toLowerCase(), user.id);
  }
  return ids;
}

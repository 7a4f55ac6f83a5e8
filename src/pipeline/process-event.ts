// Carries one event through matching, fact reading, planning and the GitLab calls (or their dry-run log).
import type { Diff, GitLabClient, MemberDirectory, UserDirectory } from '../gitlab/index.js';
import type { Logger } from '../log.js';
import type { Fact, Facts, Rule, RuleSet } from '../rules/index.js';
import type { RuleEvent } from '../event/event.js';
import { GitLabApiError } from '../errors.js';
import type { ApiCall } from './api-call.js';
import { alreadyMade, effectKey, marker, sentKey, type EffectGuard } from './effects.js';
import { decideRules, readFact, type Decision } from './decide.js';
import type { DiffCache, FactSources } from './facts.js';
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
  /** Clock for conditions on age (default: the real one). */
  now?: (() => number) | undefined;
  /** When set, comments and pipelines are made once per job, across retries and restarts. */
  effects?: EffectGuard | undefined;
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
  return actOnDecision(await decideRules(input, deps, options), deps, options);
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

  const args = state.event.command?.args.map((arg) => arg.value) ?? [];
  const userIds = deps.offline ? undefined : await resolveUsers(matched, args, deps);
  const plan = planActions({
    event: state.event,
    rules: matched,
    userIds,
    authorUsername: state.facts.authorUsername,
    labelsCurrent: !deps.effects?.retrying,
  });
  const warnings = [...factWarnings, ...plan.warnings];
  const outcome = { matched: matched.map((rule) => rule.name), calls: plan.calls, warnings, undecided, state };
  for (const warning of warnings) deps.log.warn(warning);
  for (const { rule, reason } of undecided) deps.log.warn('rule not evaluated', { rule, reason });

  // Commands of one note react once per emoji at the end, so they may hold their reactions back.
  await executeCalls(options.deferReactions ? plan.calls.filter((call) => call.kind !== 'reaction') : plan.calls, deps);
  return outcome;
}

/** Makes the planned calls in order, or in dry-run logs each one instead. */
export async function executeCalls(calls: readonly ApiCall[], deps: Pick<ProcessDeps, 'gitlab' | 'log' | 'dryRun' | 'effects'>): Promise<void> {
  for (const [index, call] of calls.entries()) {
    if (deps.dryRun) {
      deps.log.info('dry run: would call GitLab', { method: call.method, path: call.path, body: call.body, rules: call.rules });
      continue;
    }
    const guard = deps.effects;
    // Reactions are not recorded: GitLab refuses a repeated one, and that refusal is harmless.
    if (!guard || call.kind === 'reaction') {
      await sendTolerantly(call, deps);
      continue;
    }
    if (await alreadyMade(call, index, guard, deps.gitlab)) {
      deps.log.info('call already made by an earlier attempt', { method: call.method, path: call.path });
      continue;
    }
    const key = effectKey(guard, index, call);
    const body = typeof call.body['body'] === 'string' ? { ...call.body, body: `${call.body['body']}\n\n${marker(guard, index)}` } : call.body;
    try {
      await sendOnce({ ...call, body }, guard, deps);
    } catch (error) {
      // The answer to a comment was lost (no answer, or a gateway's 502/504): GitLab may have made it,
      // or may still be making it. A retry looks for it, and waits while it may still appear (alreadyMade).
      if (call.kind === 'note' && error instanceof GitLabApiError && [0, 502, 504].includes(error.status)) {
        await guard.store.recordEffect(guard.jobId, sentKey(key));
      }
      throw error;
    }
    await guard.store.recordEffect(guard.jobId, key);
  }
}

/**
 * Sends a call that must not be repeated. A merge or rebase GitLab refuses on a retry (405, 409) was
 * most likely made by the attempt that crashed before recording it. A pipeline whose creation got
 * no answer is not re-sent: a second pipeline could deploy twice, so the event fails for good instead.
 */
async function sendOnce(call: ApiCall, guard: EffectGuard, deps: Pick<ProcessDeps, 'gitlab' | 'log'>): Promise<void> {
  try {
    await deps.gitlab.request(call.method, call.path, { body: call.body });
  } catch (error) {
    if (!(error instanceof GitLabApiError)) throw error;
    if (guard.retrying && (call.kind === 'merge' || call.kind === 'rebase') && (error.status === 405 || error.status === 409)) {
      deps.log.warn('merge or rebase refused on a retry; taken as done by the earlier attempt', { path: call.path, error: error.message });
      return;
    }
    if (error.status === 0 && call.kind === 'pipeline') {
      throw new GitLabApiError({ status: 0, method: call.method, path: call.path, retryable: false, cause: error,
        message: `no answer creating the pipeline (${error.message}); it may exist: check before running it again` });
    }
    throw error;
  }
}

/** Sends a call; a reaction GitLab refuses (already given, or the note is gone) is only logged. */
async function sendTolerantly(call: ApiCall, deps: Pick<ProcessDeps, 'gitlab' | 'log'>): Promise<void> {
  try {
    await deps.gitlab.request(call.method, call.path, { body: call.body });
  } catch (error) {
    if (call.kind !== 'reaction' || !(error instanceof GitLabApiError) || error.retryable) throw error;
    deps.log.warn('reaction not added', { path: call.path, emoji: call.body['name'], error: error.message });
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

// Makes the planned GitLab calls of an event, each once across retries and restarts (or logs them in dry-run).
import { ActionError, GitLabApiError } from '../errors.js';
import { describeAction, type ApiCall } from './api-call.js';
import { alreadyMade, effectKey, marker, sentKey, type EffectGuard } from './effects.js';
import type { NotMade, ProcessDeps, Refusal } from './process-deps.js';
import { reactOnce } from './reactions.js';
import { upsertStickyComment } from './sticky-comment.js';
import { resolveAutoMerge } from './auto-merge.js';
import { runBackport } from './backport.js';
import { previewCall, type Preview } from './preview.js';

/** What `executeCalls` reports: what it did not make, and in dry-run what calls depending on GitLab would be. */
export interface CallsReport extends NotMade {
  /** Dry-run: for keyed comments and backports, the requests they would make (previewCall). */
  previews: Map<ApiCall, Preview>;
}

type ExecuteDeps = Pick<ProcessDeps, 'gitlab' | 'log' | 'dryRun' | 'effects' | 'offline'>;

/** Whether GitLab refused for good: asking again unchanged gets the same answer (a 4xx other than 429). */
export function isRefusal(error: unknown): error is GitLabApiError {
  return error instanceof GitLabApiError && !error.retryable && error.status >= 400 && error.status < 500 && error.status !== 429;
}

/**
 * Makes the planned calls in order, or in dry-run logs each one instead (with what a keyed comment or
 * a backport would send, read from GitLab unless offline). The first call GitLab
 * refuses, or that fails, stops the rest (a reply or reaction would report what did not happen) and
 * is thrown as an ActionError naming its action.
 *
 * With `keepGoing`, a call GitLab refuses for good (isRefusal) stops only the later calls of the
 * same rules: the other rules' actions do not depend on it and are still made, each once (the
 * effect guard). The refusals are returned, for the caller to fail the event with once the rest is
 * done. A failure that may pass (5xx, 429, no answer) still stops everything, to be retried.
 */
export async function executeCalls(
  calls: readonly ApiCall[],
  deps: ExecuteDeps,
  options: { keepGoing?: boolean } = {},
): Promise<CallsReport> {
  const notMade: CallsReport = { refused: [], skipped: [], previews: new Map() };
  const stopped = new Set<string>();
  for (const [index, call] of calls.entries()) {
    if (call.rules.some((rule) => stopped.has(rule))) {
      notMade.skipped.push(call);
      continue;
    }
    try {
      if (deps.dryRun) {
        const preview = await previewCall(call, { gitlab: deps.gitlab, offline: deps.offline, botUsername: deps.effects?.botUsername });
        if (preview) notMade.previews.set(call, preview);
        deps.log.info('dry run: would call GitLab', { method: call.method, path: call.path, body: call.body, rules: call.rules, ...(preview && { preview }) });
        continue;
      }
      await executeCall(call, index, deps);
    } catch (error) {
      const nothingMade = index === notMade.skipped.length + notMade.refused.length;
      const failed = error instanceof GitLabApiError && !(error instanceof ActionError) ? new ActionError(describeAction(call), error, { nothingMade }) : error;
      if (!options.keepGoing || !isRefusal(failed) || !(failed instanceof ActionError) || call.rules.length === 0) throw failed;
      deps.log.warn('action refused by GitLab; the other rules\' actions go on', { action: failed.action, rules: call.rules, error: failed.message });
      notMade.refused.push({ call, error: failed });
      for (const rule of call.rules) stopped.add(rule);
    }
  }
  return notMade;
}

/**
 * The error an event fails with once its other actions are made: the refused actions, their rules
 * and GitLab's answers. Not retryable: it becomes a dead letter, and putting it back makes only what
 * was not made (the effect guard skips the rest).
 */
export function refusalError(refused: readonly Refusal[], othersMade: boolean): ActionError {
  const describe = ({ call, error }: Refusal) => `${error.action} (${call.rules.length === 1 ? 'rule' : 'rules'} ${call.rules.map((rule) => `"${rule}"`).join(', ')}) refused: ${error.message}`;
  const error = new ActionError(refused[0]!.error.action, refused[0]!.error);
  error.message = refused.map(describe).join('; ') + (othersMade ? '; the other actions were made' : '');
  return error;
}

async function executeCall(planned: ApiCall, index: number, deps: ExecuteDeps): Promise<void> {
  // Which API sets auto-merge depends on the project's merge train setting, read when it is made.
  const call = planned.kind === 'auto_merge' ? await resolveAutoMerge(planned, deps.gitlab) : planned;
  const guard = deps.effects;
  if (call.kind === 'sticky' && call.sticky !== undefined) {
    // Found again by its own marker, so repeating it across retries posts nothing twice.
    const done = await upsertStickyComment({ ...call, sticky: call.sticky }, deps.gitlab, guard?.botUsername);
    deps.log.debug('keyed comment', { path: call.path, key: call.sticky, done });
    return;
  }
  if (call.kind === 'backport') {
    const done = await runBackport(call, deps.gitlab);
    deps.log.info('backport', { path: call.path, to: call.body['target_branch'], done });
    return;
  }
  if (call.kind === 'reaction') {
    await reactOnce(call, index, guard, deps);
    return;
  }
  if (!guard) {
    await deps.gitlab.request(call.method, call.path, { body: call.body });
    return;
  }
  if (await alreadyMade(call, index, guard, deps.gitlab)) {
    deps.log.info('call already made by an earlier attempt', { method: call.method, path: call.path });
    return;
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

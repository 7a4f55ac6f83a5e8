// Makes the planned GitLab calls of an event, each once across retries and restarts (or logs them in dry-run).
import { ActionError, GitLabApiError } from '../errors.js';
import { describeAction, type ApiCall } from './api-call.js';
import { alreadyMade, effectKey, marker, sentKey, type EffectGuard } from './effects.js';
import type { ProcessDeps } from './process-deps.js';
import { reactOnce } from './reactions.js';
import { upsertStickyComment } from './sticky-comment.js';
import { resolveAutoMerge } from './auto-merge.js';
import { runBackport } from './backport.js';

/**
 * Makes the planned calls in order, or in dry-run logs each one instead. The first call GitLab
 * refuses, or that fails, stops the rest (a reply or reaction would report what did not happen) and
 * is thrown as an ActionError naming its action.
 */
export async function executeCalls(calls: readonly ApiCall[], deps: Pick<ProcessDeps, 'gitlab' | 'log' | 'dryRun' | 'effects'>): Promise<void> {
  for (const [index, call] of calls.entries()) {
    try {
      await executeCall(call, index, deps);
    } catch (error) {
      if (error instanceof GitLabApiError && !(error instanceof ActionError)) throw new ActionError(describeAction(call), error);
      throw error;
    }
  }
}

async function executeCall(planned: ApiCall, index: number, deps: Pick<ProcessDeps, 'gitlab' | 'log' | 'dryRun' | 'effects'>): Promise<void> {
  if (deps.dryRun) {
    deps.log.info('dry run: would call GitLab', { method: planned.method, path: planned.path, body: planned.body, rules: planned.rules });
    return;
  }
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

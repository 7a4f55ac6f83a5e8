// Reactions made once: one whose answer was lost is looked for on the note before it is given again.
import { z } from 'zod';
import { GitLabApiError } from '../errors.js';
import type { ApiCall } from './api-call.js';
import { effectKey, sentKey, type EffectGuard } from './effects.js';
import type { ProcessDeps } from './process-deps.js';

const AwardsSchema = z.array(z.object({ name: z.string(), user: z.object({ username: z.string() }).nullish() }));

/**
 * Gives a reaction. Reactions that GitLab answered are not recorded (GitLab refuses a repeated one,
 * harmlessly), but one whose answer was lost (no answer, or a gateway's 502/504) is: a retry then
 * reads the note's awards (one call) and gives it only if it is not there. A reaction GitLab refuses
 * (already given, or the note is gone) is only logged.
 */
export async function reactOnce(call: ApiCall, index: number, guard: EffectGuard | undefined, deps: Pick<ProcessDeps, 'gitlab' | 'log'>): Promise<void> {
  const key = guard && effectKey(guard, index, call);
  if (guard && key && guard.retrying && (await guard.store.effectTime(guard.jobId, sentKey(key))) !== undefined) {
    if (await awardGiven(call, guard, deps)) {
      deps.log.info('reaction already given by an earlier attempt', { path: call.path, emoji: call.body['name'] });
      return;
    }
  }
  try {
    await deps.gitlab.request(call.method, call.path, { body: call.body });
  } catch (error) {
    if (!(error instanceof GitLabApiError)) throw error;
    if (guard && key && [0, 502, 504].includes(error.status)) await guard.store.recordEffect(guard.jobId, sentKey(key));
    if (error.retryable) throw error;
    deps.log.warn('reaction not added', { path: call.path, emoji: call.body['name'], error: error.message });
  }
}

/** Whether the note already carries this award from the bot (from anyone, when the bot's name is unknown). */
async function awardGiven(call: ApiCall, guard: EffectGuard, deps: Pick<ProcessDeps, 'gitlab'>): Promise<boolean> {
  const awards = await deps.gitlab.request('GET', call.path, { query: { per_page: 100 }, schema: AwardsSchema });
  const name = String(call.body['name']);
  const bot = guard.botUsername?.toLowerCase();
  return awards.some((award) => award.name === name && (bot === undefined || award.user?.username.toLowerCase() === bot));
}

// Makes each call of an event happen once, even when the event is retried or resumed after a crash.
import { z } from 'zod';
import { GitLabApiError } from '../errors.js';
import type { GitLabClient } from '../gitlab/index.js';
import type { Store } from '../store/index.js';
import type { ApiCall } from './api-call.js';

export interface EffectGuard {
  store: Store;
  jobId: string;
  /** True when an earlier attempt of this job may have made calls before failing or crashing. */
  retrying: boolean;
  /** Which part of the job the calls belong to (`event`, `command:2`, `replies`), so their positions are stable. */
  scope: string;
  /** How long GitLab may still be making a comment whose answer was lost (GitLab.com ends requests after 60 s). */
  lostAnswerWindowMs: number;
  now: () => number;
}

/**
 * Names a call by where it stands in its job (part, position, method and path), not by its text: two
 * rules posting the same comment are two effects, and a reply whose wording changed between attempts
 * (a retry-in time, a role read again) is still the same effect.
 */
export function effectKey(guard: EffectGuard, index: number, call: ApiCall): string {
  return `${guard.scope}:${index}:${call.method} ${call.path}`;
}

/** The invisible marker appended to a comment, so a retry can find the comment an earlier attempt posted. */
export function marker(guard: EffectGuard, index: number): string {
  return `<!-- rulebot:${guard.jobId.replace(/[^\w.:-]/g, '')}:${guard.scope}:${index} -->`;
}

const NotesSchema = z.array(z.object({ body: z.string() }));

/**
 * Whether an earlier attempt already made this call: recorded in the store, or (for a comment whose
 * answer was lost, so never recorded) found among the newest comments by its marker. A comment sent
 * less than `lostAnswerWindowMs` ago and not found yet may still be in the making at GitLab: then
 * this throws a retryable error asking to look again once that window has passed, instead of
 * posting a second one.
 */
export async function alreadyMade(call: ApiCall, index: number, guard: EffectGuard, gitlab: GitLabClient): Promise<boolean> {
  const key = effectKey(guard, index, call);
  if ((await guard.store.effectTime(guard.jobId, key)) !== undefined) return true;
  if (!guard.retrying || call.kind !== 'note') return false;
  const notesPath = call.path.replace(/\/discussions\/[^/]+\/notes$/, '/notes');
  const recent = await gitlab.request('GET', notesPath, { query: { sort: 'desc', order_by: 'created_at', per_page: 100 }, schema: NotesSchema });
  if (recent.some((note) => note.body.includes(marker(guard, index)))) return true;
  const sentAt = await guard.store.effectTime(guard.jobId, sentKey(key));
  const wait = sentAt === undefined ? 0 : sentAt + guard.lostAnswerWindowMs - guard.now();
  if (wait <= 0) return false;
  throw new GitLabApiError({
    status: 0,
    method: call.method,
    path: call.path,
    message: `the comment whose answer was lost ${Math.round((guard.now() - sentAt!) / 1000)} s ago may still be in the making; looking again in ${Math.ceil(wait / 1000)} s`,
    retryable: true,
    retryAfterMs: wait,
  });
}

/** The record that a comment's answer was lost, and when. */
export function sentKey(key: string): string {
  return `${key}#sent`;
}

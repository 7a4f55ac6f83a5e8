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
  /**
   * When the job's first attempt began (epoch ms): no comment one of its attempts posted is older.
   * Unknown: every note of the merge request or issue may be read.
   */
  firstAttemptAt: number | undefined;
  /** Which part of the job the calls belong to (`event`, `command:2`, `replies`), so their positions are stable. */
  scope: string;
  /** How long GitLab may still be making a comment whose answer was lost (GitLab.com ends requests after 60 s). */
  lostAnswerWindowMs: number;
  /** The bot's username, when known: a reaction whose answer was lost is looked for among its awards. */
  botUsername?: string | undefined;
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

const NotesSchema = z.array(z.object({ body: z.string(), created_at: z.string() }));

/**
 * How much earlier than rulebot's clock GitLab's may date a note: notes that much older than the
 * first attempt are still read.
 */
export const CLOCK_SKEW_MS = 60_000;

/**
 * Whether an earlier attempt already made this call: recorded in the store, or (for a comment whose
 * answer was lost, so never recorded) found by its marker among the notes made since the job's first
 * attempt. A comment sent less than `lostAnswerWindowMs` ago and not found yet may still be in the
 * making at GitLab: then this throws a retryable error asking to look again once that window has
 * passed, instead of posting a second one.
 */
export async function alreadyMade(call: ApiCall, index: number, guard: EffectGuard, gitlab: GitLabClient): Promise<boolean> {
  const key = effectKey(guard, index, call);
  if ((await guard.store.effectTime(guard.jobId, key)) !== undefined) return true;
  if (!guard.retrying || call.kind !== 'note') return false;
  const notesPath = call.path.replace(/\/discussions\/[^/]+\/notes$/, '/notes');
  if (await findMarker(notesPath, marker(guard, index), guard.firstAttemptAt, gitlab)) return true;
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

/**
 * Whether a note carrying `text` is on the merge request or issue. Notes are read newest first, a page
 * of 100 at a time, until one has it or they are older than `since` (less CLOCK_SKEW_MS): no attempt
 * had begun then. However many notes came after the comment (system notes count: a busy merge request
 * gets many), it is found; and a comment that was not made costs only the pages of notes since.
 * https://docs.gitlab.com/api/notes/#list-all-merge-request-notes
 */
async function findMarker(path: string, text: string, since: number | undefined, gitlab: GitLabClient): Promise<boolean> {
  const notes = gitlab.paginate(path, { query: { sort: 'desc', order_by: 'created_at' }, perPage: 100, schema: NotesSchema });
  // Leaving the loop stops the listing: the next page is asked for only when the last one is used up.
  for await (const note of notes) {
    if (note.body.includes(text)) return true;
    if (since !== undefined && Date.parse(note.created_at) < since - CLOCK_SKEW_MS) return false;
  }
  return false;
}

/** The record that a comment's answer was lost, and when. */
export function sentKey(key: string): string {
  return `${key}#sent`;
}

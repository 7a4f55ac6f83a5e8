// What to do with an event whose attempt failed: retry it later, or keep it as a dead letter.
import { boundText } from '../bounded-text.js';
import { GitLabApiError } from '../errors.js';
import { backoffDelay } from '../gitlab/retry-delay.js';
import type { StoredJob } from '../store/index.js';
import type { RetryPolicy } from './job.js';

/**
 * Attempts an event whose failures may pass is given before it can be given up, however long they
 * took: an attempt that first waited a long time (behind the rate budget, or inside a slow GitLab)
 * still leaves the event a few more chances.
 */
export const MIN_ATTEMPTS = 3;

/**
 * What to do after an attempt failed: retry after `delay` ms (a retryable GitLab error, while fewer
 * than `MIN_ATTEMPTS` were made or within the give-up window; at least as long as GitLab asked) or
 * keep the event as a dead letter, with the reason and the attempts made (this one included).
 * `stored.attempts` counts the attempts made before this one.
 */
export function failureVerdict(
  error: unknown,
  stored: Pick<StoredJob, 'attempts' | 'received_at' | 'first_attempt_at'>,
  retry: RetryPolicy,
  now: number,
  random?: () => number,
): { delay: number; message: string } | { deadLetter: string; attempts: number } {
  // Logged and stored as it is returned: cut to 2 KB, whatever threw it (GitLab's text is cut where it is read).
  const message = boundText(error instanceof Error ? error.message : String(error));
  const retryable = error instanceof GitLabApiError && error.retryable;
  const attempts = stored.attempts + 1;
  const delay = Math.max((error instanceof GitLabApiError ? error.retryAfterMs : undefined) ?? 0, backoffDelay(stored.attempts, retry, random));
  if (retryable && (attempts < MIN_ATTEMPTS || now + delay - giveUpWindowStart(stored) <= retry.giveUpAfterMs)) return { delay, message };
  return { deadLetter: retryable ? boundText(`gave up after ${attempts} attempts: ${message}`) : message, attempts };
}

/**
 * Where the give-up window starts: the event's first attempt, so that the time it waited before it
 * (behind its project's earlier events, or for the queue) is not counted as failing. A dead letter
 * put back starts it again when it was put back (its `received_at` then; it keeps its first attempt's
 * time). A job whose first attempt was never recorded counts from its acceptance.
 */
export function giveUpWindowStart(stored: Pick<StoredJob, 'received_at' | 'first_attempt_at'>): number {
  return Math.max(stored.first_attempt_at ?? stored.received_at, stored.received_at);
}

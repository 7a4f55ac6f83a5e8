// What to do with an event whose attempt failed: retry it later, or keep it as a dead letter.
import { boundText } from '../bounded-text.js';
import { GitLabApiError } from '../errors.js';
import { backoffDelay } from '../gitlab/retry-delay.js';
import type { StoredJob } from '../store/index.js';
import type { RetryPolicy } from './job.js';

/**
 * What to do after an attempt failed: retry after `delay` ms (a retryable GitLab error, within the
 * give-up window; at least as long as GitLab asked) or keep the event as a dead letter, with the reason.
 */
export function failureVerdict(
  error: unknown,
  stored: Pick<StoredJob, 'attempts' | 'received_at'>,
  retry: RetryPolicy,
  now: number,
  random?: () => number,
): { delay: number; message: string } | { deadLetter: string } {
  // Logged and stored as it is returned: cut to 2 KB, whatever threw it (GitLab's text is cut where it is read).
  const message = boundText(error instanceof Error ? error.message : String(error));
  const retryable = error instanceof GitLabApiError && error.retryable;
  const delay = Math.max((error instanceof GitLabApiError ? error.retryAfterMs : undefined) ?? 0, backoffDelay(stored.attempts, retry, random));
  if (retryable && now + delay - stored.received_at <= retry.giveUpAfterMs) return { delay, message };
  return { deadLetter: retryable ? boundText(`gave up after ${stored.attempts + 1} attempts: ${message}`) : message };
}

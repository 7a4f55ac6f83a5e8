// An accepted event as the queues of both runtimes carry it, and how its failures are retried.
import type { RuleEvent } from '../event/event.js';
import type { StoredJob } from '../store/index.js';

export interface Job {
  /** The id answered to GitLab (its Idempotency-Key when sent). */
  id: string;
  event: RuleEvent;
  /** `X-Gitlab-Event-UUID` of the delivery, sent back on every API call made for it. */
  eventUuid: string | undefined;
  /** The job as stored: attempts so far, when accepted and first attempted (its `payload` is left in the store). */
  stored: StoredJob;
  /** Accepted by an earlier process and queued again at start-up. */
  resumed?: boolean;
}

export interface RetryPolicy {
  /** First retry delay in ms (default 1 s), doubling with full jitter. */
  baseDelayMs: number;
  /** Longest wait between two attempts (default 5 min). */
  maxDelayMs: number;
  /**
   * Give up once this long has passed since the event's first attempt (default 1 h), and at least
   * `MIN_ATTEMPTS` (3) were made.
   */
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 300_000, giveUpAfterMs: 3_600_000 };

import { describe, expect, it } from 'vitest';
import { GitLabApiError } from '../errors.js';
import { failureVerdict, MIN_ATTEMPTS } from './failure-verdict.js';
import type { RetryPolicy } from './job.js';

const HOUR = 3_600_000;
const retry: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 300_000, giveUpAfterMs: HOUR };
const badGateway = new GitLabApiError({ status: 502, method: 'PUT', path: '/projects/1/merge_requests/1', message: '502 Bad Gateway', retryable: true });
const forbidden = new GitLabApiError({ status: 403, method: 'PUT', path: '/projects/1/merge_requests/1', message: '403 Forbidden', retryable: false });
/** Back-off draws at the top of its range: the longest delay it may choose. */
const highest = () => 1;

describe('failureVerdict', () => {
  it('counts the give-up window from the first attempt, not from when the event was accepted', () => {
    // Accepted, then two hours in a backlog before its first attempt; then failures for 50 minutes.
    const job = { received_at: 0, first_attempt_at: 2 * HOUR };
    expect(failureVerdict(badGateway, { ...job, attempts: 0 }, retry, 2 * HOUR + 1_000, highest)).toEqual({ delay: 1_000, message: 'PUT /projects/1/merge_requests/1: 502 Bad Gateway' });
    expect(failureVerdict(badGateway, { ...job, attempts: 9 }, retry, 2 * HOUR + 50 * 60_000, highest)).toMatchObject({ delay: 300_000 });
    // The next retry would come after the hour since the first attempt: it is given up.
    expect(failureVerdict(badGateway, { ...job, attempts: 10 }, retry, 2 * HOUR + 56 * 60_000, highest)).toEqual({
      deadLetter: 'gave up after 11 attempts: PUT /projects/1/merge_requests/1: 502 Bad Gateway',
      attempts: 11,
    });
  });

  it(`makes at least ${MIN_ATTEMPTS} attempts, however long the first ones took`, () => {
    // The first attempt began two hours ago (it waited inside for the rate budget, say).
    const job = { received_at: 0, first_attempt_at: 0 };
    const now = 2 * HOUR;
    expect(failureVerdict(badGateway, { ...job, attempts: 0 }, retry, now, highest)).toMatchObject({ delay: 1_000 });
    expect(failureVerdict(badGateway, { ...job, attempts: 1 }, retry, now, highest)).toMatchObject({ delay: 2_000 });
    expect(failureVerdict(badGateway, { ...job, attempts: 2 }, retry, now, highest)).toEqual({
      deadLetter: 'gave up after 3 attempts: PUT /projects/1/merge_requests/1: 502 Bad Gateway',
      attempts: 3,
    });
  });

  it('keeps a failure that will not pass at once, counting the attempt that met it', () => {
    expect(failureVerdict(forbidden, { received_at: 0, first_attempt_at: 0, attempts: 0 }, retry, 1_000)).toEqual({
      deadLetter: 'PUT /projects/1/merge_requests/1: 403 Forbidden',
      attempts: 1,
    });
    expect(failureVerdict(new Error('disk full'), { received_at: 0, first_attempt_at: 0, attempts: 4 }, retry, 1_000)).toEqual({ deadLetter: 'disk full', attempts: 5 });
  });

  it('waits at least as long as GitLab asked', () => {
    const limited = new GitLabApiError({ status: 429, method: 'POST', path: '/projects/1/merge_requests/1/notes', message: '429 Too Many Requests', retryable: true, retryAfterMs: 90_000 });
    expect(failureVerdict(limited, { received_at: 0, first_attempt_at: 0, attempts: 0 }, retry, 1_000, highest)).toMatchObject({ delay: 90_000 });
  });

  it('counts from acceptance for a job whose first attempt is unknown, and from when it was put back for a dead letter put back', () => {
    const now = 2 * HOUR;
    expect(failureVerdict(badGateway, { received_at: 0, attempts: 3 }, retry, now, highest)).toMatchObject({ attempts: 4 });
    expect(failureVerdict(badGateway, { received_at: now - 60_000, attempts: 3 }, retry, now, highest)).toMatchObject({ delay: 8_000 });
    // Put back a minute ago; its first attempt, before it became a dead letter, was days ago.
    expect(failureVerdict(badGateway, { received_at: now - 60_000, first_attempt_at: 0, attempts: 3 }, retry, now, highest)).toMatchObject({ delay: 8_000 });
  });
});

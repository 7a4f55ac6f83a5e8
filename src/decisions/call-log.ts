// The GitLab requests made while handling one event or schedule run, each with its final status, time and retries.
import type { Attempt } from '../gitlab/index.js';
import type { CallRecord } from '../store/index.js';

/** Most requests remembered; the rest are only counted (a scan can make thousands). */
const MAX_CALLS = 100;

/**
 * Collects a client's HTTP attempts (`GitLabClient.observe`) into one entry per request: a retry
 * (attempt 1, 2, …) updates the entry of the request it repeats.
 */
export class CallLog {
  readonly calls: CallRecord[] = [];
  /** Requests beyond MAX_CALLS, not kept. */
  omitted = 0;
  private open: Map<string, CallRecord> | undefined;

  /** One attempt, as `GitLabClient.observe` reports it. */
  add(attempt: Attempt): void {
    const key = `${attempt.method} ${attempt.path}`;
    const earlier = attempt.attempt > 0 ? this.open?.get(key) : undefined;
    if (earlier) {
      Object.assign(earlier, { status: attempt.status, duration_ms: earlier.duration_ms + attempt.durationMs, retries: attempt.attempt });
      return;
    }
    const call: CallRecord = { method: attempt.method, path: attempt.path, status: attempt.status, duration_ms: attempt.durationMs, retries: 0 };
    (this.open ??= new Map()).set(key, call);
    if (this.calls.length < MAX_CALLS) this.calls.push(call);
    else this.omitted++;
  }
}

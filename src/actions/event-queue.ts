// Runs accepted events off the request path: bounded concurrency, strict order per project, retries, dead letters.
import PQueue from 'p-queue';
import { boundText } from '../bounded-text.js';
import { GitLabApiError } from '../errors.js';
import { backoffDelay } from '../gitlab/retry-delay.js';
import type { Logger } from '../log.js';
import type { Store, StoredJob } from '../store/index.js';
import type { RuleEvent } from '../webhook/event.js';
import { normalizeEvent } from '../webhook/normalize.js';

export interface Job {
  /** The id answered to GitLab (its Idempotency-Key when sent). */
  id: string;
  event: RuleEvent;
  /** `X-Gitlab-Event-UUID` of the delivery, sent back on every API call made for it. */
  eventUuid: string | undefined;
  /** The job as stored: attempts so far, when accepted (its `payload` is left in the store). */
  stored: StoredJob;
  /** Accepted by an earlier process and queued again at start-up. */
  resumed?: boolean;
}

export interface RetryPolicy {
  /** First retry delay in ms (default 1 s), doubling with full jitter. */
  baseDelayMs: number;
  /** Longest wait between two attempts (default 5 min). */
  maxDelayMs: number;
  /** Give up once this long has passed since the event was accepted (default 1 h). */
  giveUpAfterMs: number;
}

export interface EventQueueOptions {
  concurrency: number;
  run: (job: Job) => Promise<void>;
  store: Store;
  log: Logger;
  retry?: Partial<RetryPolicy>;
  now?: () => number;
  random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 300_000, giveUpAfterMs: 3_600_000 };

/**
 * Events of one project run one after another in arrival order (their actions land in that order,
 * and a retried event holds back the later ones of its project only); events of
 * different projects run side by side, up to `concurrency`. A job leaves the store only when its
 * actions completed, or failed for good and went to the dead letters with the reason.
 *
 * The next event of a project starts once the previous one's actions completed, without waiting for
 * the store to commit that the previous one finished: finishes made in one turn of the event loop then
 * share one commit (on Node, one disk flush) instead of costing one each. A crash between an event's
 * actions and that commit makes it run again at the next start, as a crash during its actions always
 * did. That re-run is guarded like any resumed event: each call an attempt made was recorded before
 * the job could finish (`effects.ts`), so it is not made again. Commits keep their order, so what runs
 * again is the tail of each project's sequence, in order. The job stays `has()` until its finish is
 * committed, so `resume()` cannot queue it twice meanwhile.
 */
export class EventQueue {
  private readonly workers: PQueue;
  private readonly tails = new Map<number, Promise<void>>();
  private readonly retry: RetryPolicy;
  private readonly timers = new Set<{ timer: ReturnType<typeof setTimeout>; resolve: () => void }>();
  private readonly known = new Set<string>();
  /** Finishes of completed jobs not committed yet, by job id. */
  private readonly finishing = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(private readonly options: EventQueueOptions) {
    this.workers = new PQueue({ concurrency: options.concurrency });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  push(job: Job): void {
    const project = job.event.project.id;
    this.known.add(job.id);
    const previous = this.tails.get(project) ?? Promise.resolve();
    const tail = previous
      .then(() => this.runUntilSettled(job))
      .catch((error: unknown) => this.options.log.error('event queue failure', { event_id: job.id, error }))
      .finally(() => {
        if (!this.finishing.has(job.id)) this.known.delete(job.id);
        if (this.tails.get(project) === tail) this.tails.delete(project);
      });
    this.tails.set(project, tail);
  }

  /** Events accepted and not finished in this process. */
  get size(): number {
    return this.known.size;
  }

  /** Whether this process is running, or holds for a retry, the job with this id. */
  has(id: string): boolean {
    return this.known.has(id);
  }

  /** Resolves once every accepted event has finished and its finish is stored (or, after `stop()`, stopped). */
  async onIdle(): Promise<void> {
    while (this.tails.size > 0 || this.finishing.size > 0) await Promise.all([...this.tails.values(), ...this.finishing.values()]);
  }

  /** Starts no new attempt; events waiting or between retries stay in the store for the next start. */
  stop(): void {
    this.stopping = true;
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.resolve();
    }
    this.timers.clear();
  }

  private async runUntilSettled(job: Job): Promise<void> {
    const now = this.options.now ?? Date.now;
    for (;;) {
      if (this.stopping) return;
      const wait = job.stored.next_attempt_at - now();
      if (wait > 0) await this.sleep(wait);
      if (this.stopping) return;
      try {
        await this.workers.add(() => this.options.run(job));
        this.finish(job);
        return;
      } catch (error) {
        const verdict = failureVerdict(error, job.stored, this.retry, now(), this.options.random);
        if ('deadLetter' in verdict) {
          await this.options.store.deadLetter(job.id, verdict.deadLetter);
          this.options.log.error('event failed for good; kept as a dead letter', { event_id: job.id, reason: verdict.deadLetter });
          return;
        }
        const { delay, message } = verdict;
        job.stored = { ...job.stored, attempts: job.stored.attempts + 1, next_attempt_at: now() + delay, last_error: message };
        await this.options.store.retryJobLater(job.id, job.stored.next_attempt_at, message);
        this.options.log.warn('event failed; will retry', { event_id: job.id, attempt: job.stored.attempts, retry_in_ms: delay, error: message });
      }
    }
  }

  /**
   * Removes a completed job from the store without holding back its project's next event (see the class
   * comment). If the store cannot record the finish, the job goes to the dead letters with the reason.
   */
  private finish(job: Job): void {
    const finished = this.options.store
      .finishJob(job.id)
      .catch(async (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        await this.options.store.deadLetter(job.id, reason);
        this.options.log.error('event failed for good; kept as a dead letter', { event_id: job.id, reason });
      })
      .catch((error: unknown) => this.options.log.error('event queue failure', { event_id: job.id, error }))
      .finally(() => {
        this.finishing.delete(job.id);
        this.known.delete(job.id);
      });
    this.finishing.set(job.id, finished);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = { timer: setTimeout(() => (this.timers.delete(entry), resolve()), ms), resolve };
      this.timers.add(entry);
    });
  }
}

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

/** Turns a stored job back into a runnable one; a payload that no longer reads is a dead letter. */
export async function restoreJob(stored: StoredJob, store: Store, log: Logger): Promise<Job | undefined> {
  try {
    const result = normalizeEvent(JSON.parse(stored.payload) as Record<string, unknown>);
    if ('event' in result) return { id: stored.id, event: result.event, eventUuid: stored.event_uuid, stored: { ...stored, payload: '' } };
    await store.finishJob(stored.id);
  } catch (error) {
    await store.deadLetter(stored.id, `stored event cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    log.error('stored event cannot be read; kept as a dead letter', { event_id: stored.id });
  }
  return undefined;
}

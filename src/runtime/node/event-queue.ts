// Node's in-process queue of accepted events: bounded concurrency, strict order per merge request or issue, retries, dead letters.
import type { Logger } from '../../log.js';
import { DEFAULT_RETRY, failureVerdict, orderKey, WorkerPool, type Job, type RetryPolicy } from '../../queue/index.js';
import type { Store } from '../../store/index.js';
import { eventLogFields } from '../../event/log-fields.js';

/** An attempt running longer than this gives its worker to the next event (see WorkerPool). */
export const STALL_MS = 1_000;
/** Attempts running at once, stalled ones included, per unit of concurrency. */
export const MAX_RUNNING_PER_WORKER = 8;

export interface EventQueueOptions {
  /** Attempts making progress at once; an attempt stalled for `stallMs` stops counting. */
  concurrency: number;
  stallMs?: number;
  run: (job: Job) => Promise<void>;
  store: Store;
  log: Logger;
  retry?: Partial<RetryPolicy>;
  now?: () => number;
  random?: () => number;
}

/**
 * Events of one merge request or issue (one `orderKey`) run one after another in arrival order (their
 * actions land in that order, and a retried event holds back only the later ones about the same merge
 * request or issue); other events run side by side, up to `concurrency`, not counting those waiting on
 * GitLab for more than a second (a slow answer, a retry's back-off, a pause GitLab asked for), and never
 * more than `MAX_RUNNING_PER_WORKER` times `concurrency` in all. A job leaves the store only when its
 * actions completed, or failed for good and went to the dead letters with the reason.
 *
 * The next event of a key starts once the previous one's actions completed, without waiting for
 * the store to commit that the previous one finished: finishes made in one turn of the event loop then
 * share one commit (on Node, one disk flush) instead of costing one each. A crash between an event's
 * actions and that commit makes it run again at the next start, as a crash during its actions always
 * did. That re-run is guarded like any resumed event: each call an attempt made was recorded before
 * the job could finish (`effects.ts`), so it is not made again. Commits keep their order, so what runs
 * again is the tail of each key's sequence, in order. The job stays `has()` until its finish is
 * committed, so `resume()` cannot queue it twice meanwhile.
 */
export class EventQueue {
  private readonly workers: WorkerPool;
  private readonly tails = new Map<string, Promise<void>>();
  private readonly retry: RetryPolicy;
  private readonly timers = new Set<{ timer: ReturnType<typeof setTimeout>; resolve: () => void }>();
  private readonly known = new Set<string>();
  /** Finishes of completed jobs not committed yet, by job id. */
  private readonly finishing = new Map<string, Promise<void>>();
  private stopping = false;
  /** While set, no attempt starts (GitLab could not be reached yet); accepted events wait in order. */
  private held: { promise: Promise<void>; open: () => void } | undefined;

  constructor(private readonly options: EventQueueOptions) {
    this.workers = new WorkerPool({
      concurrency: options.concurrency,
      stallMs: options.stallMs ?? STALL_MS,
      maxRunning: options.concurrency * MAX_RUNNING_PER_WORKER,
    });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  push(job: Job): void {
    const key = orderKey(job.event);
    this.known.add(job.id);
    const previous = this.tails.get(key) ?? Promise.resolve();
    const tail = previous
      .then(() => this.runUntilSettled(job))
      .catch((error: unknown) => this.options.log.error('event queue failure', { event_id: job.id, error }))
      .finally(() => {
        if (!this.finishing.has(job.id)) this.known.delete(job.id);
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
    this.tails.set(key, tail);
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

  /** Starts no attempt until `release()`: events are still accepted and queued in their order. */
  hold(): void {
    if (this.held) return;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.held = { promise, open };
  }

  /** Lets the attempts held back by `hold()` start. */
  release(): void {
    const held = this.held;
    this.held = undefined;
    held?.open();
  }

  /** Starts no new attempt; events waiting or between retries stay in the store for the next start. */
  stop(): void {
    this.stopping = true;
    this.release();
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
      // A timer holds at most 2^31 - 1 ms (about 24 days; Node fires a longer one at once): wait in steps.
      for (let wait = job.stored.next_attempt_at - now(); wait > 0 && !this.stopping; wait -= 2 ** 31 - 1) {
        await this.sleep(Math.min(wait, 2 ** 31 - 1));
      }
      while (this.held && !this.stopping) await this.held.promise;
      if (this.stopping) return;
      try {
        // Events of different merge requests wait here for a worker together: one still waiting when
        // rulebot stops does not start, and stays stored for the next start.
        const ran = await this.workers.run(async () => {
          if (this.stopping) return false;
          await this.attempt(job, now());
          return true;
        });
        if (!ran) return;
        this.finish(job);
        return;
      } catch (error) {
        const verdict = failureVerdict(error, job.stored, this.retry, now(), this.options.random);
        if ('deadLetter' in verdict) {
          await this.options.store.deadLetter(job.id, verdict.deadLetter, { attempts: verdict.attempts, first_attempt_at: job.stored.first_attempt_at });
          this.jobLog(job).error('event failed for good; kept as a dead letter', { reason: verdict.deadLetter });
          return;
        }
        const { delay, message } = verdict;
        const firstAttemptAt = job.stored.first_attempt_at ?? now();
        job.stored = { ...job.stored, attempts: job.stored.attempts + 1, next_attempt_at: now() + delay, last_error: message, first_attempt_at: firstAttemptAt };
        await this.options.store.retryJobLater(job.id, job.stored.next_attempt_at, message, firstAttemptAt);
        this.jobLog(job).warn('event failed; will retry', { attempt: job.stored.attempts, retry_in_ms: delay, error: message });
      }
    }
  }

  /**
   * Runs one attempt, which began `now` (once a worker was free: time spent waiting for one, or for
   * the project's earlier events, is not part of it). The first attempt's time is kept with the job and
   * stored with the attempt's failure rather than before it, so that the common case, an event done at
   * its first attempt, costs no write for it. A job resumed at start whose first attempt left no record
   * (it was cut off by a crash or a stop, or never began) counts from its acceptance instead: the
   * earliest any of its attempts can have begun, which is what the look for its comments needs
   * (`pipeline/effects.ts`).
   */
  private attempt(job: Job, now: number): Promise<void> {
    if (job.stored.first_attempt_at === undefined) {
      job.stored = { ...job.stored, first_attempt_at: job.resumed ? job.stored.received_at : now };
    }
    return this.options.run(job);
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
        await this.options.store.deadLetter(job.id, reason, { attempts: job.stored.attempts + 1, first_attempt_at: job.stored.first_attempt_at });
        this.jobLog(job).error('event failed for good; kept as a dead letter', { reason });
      })
      .catch((error: unknown) => this.options.log.error('event queue failure', { event_id: job.id, error }))
      .finally(() => {
        this.finishing.delete(job.id);
        this.known.delete(job.id);
      });
    this.finishing.set(job.id, finished);
  }

  /** Lines about a job name its event, project and merge request or issue, as the engine's do. */
  private jobLog(job: Job): Logger {
    return this.options.log.child(eventLogFields(job.id, job.event));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = { timer: setTimeout(() => (this.timers.delete(entry), resolve()), ms), resolve };
      this.timers.add(entry);
    });
  }
}

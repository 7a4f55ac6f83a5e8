// Runs accepted events off the request path: bounded concurrency overall, strict order within one project.
import PQueue from 'p-queue';
import type { Logger } from '../log.js';
import type { RuleEvent } from '../webhook/event.js';

export interface Job {
  /** The id answered to GitLab (its Idempotency-Key when sent). */
  id: string;
  event: RuleEvent;
  /** `X-Gitlab-Event-UUID` of the delivery, sent back on every API call made for it. */
  eventUuid: string | undefined;
}

export interface EventQueueOptions {
  concurrency: number;
  run: (job: Job) => Promise<void>;
  log: Logger;
}

/**
 * Events of one project run one after another in arrival order (a label added by the first event is
 * seen by the second); events of different projects run side by side, up to `concurrency`.
 */
export class EventQueue {
  private readonly workers: PQueue;
  private readonly tails = new Map<number, Promise<void>>();
  private waiting = 0;

  constructor(private readonly options: EventQueueOptions) {
    this.workers = new PQueue({ concurrency: options.concurrency });
  }

  push(job: Job): void {
    const project = job.event.project.id;
    this.waiting++;
    const previous = this.tails.get(project) ?? Promise.resolve();
    const tail = previous
      .then(() => this.workers.add(() => this.options.run(job)))
      .catch((error: unknown) => this.options.log.error('event failed', { event_id: job.id, error }))
      .finally(() => {
        this.waiting--;
        if (this.tails.get(project) === tail) this.tails.delete(project);
      });
    this.tails.set(project, tail);
  }

  /** Events accepted and not finished. */
  get size(): number {
    return this.waiting;
  }

  /** Resolves once every accepted event has finished. */
  async onIdle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}

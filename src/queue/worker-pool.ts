// Bounded concurrency for event attempts, where an attempt stuck waiting on GitLab stops holding a worker.

export interface WorkerPoolOptions {
  /** Attempts that may run at once while each is making progress. */
  concurrency: number;
  /** After this long an attempt counts as stalled (a slow answer, a retry's wait, a pause GitLab asked for). */
  stallMs: number;
  /** Attempts that may run at once, stalled ones included. */
  maxRunning: number;
}

/**
 * Runs tasks at most `concurrency` at a time, in the order they were added. A task still running after
 * `stallMs` gives its worker to the next task (it keeps running), so that a few GitLab answers that take
 * 30 s do not stop every other merge request for 30 s; at most `maxRunning` tasks run in all, so a GitLab
 * that stalls every call is not sent more and more of them.
 */
export class WorkerPool {
  /** Tasks running and not stalled. */
  private active = 0;
  /** Tasks running, stalled or not. */
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Index of the next waiting task: shifting a backlog of thousands one by one would cost O(n) each. */
  private head = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    if (options.maxRunning < options.concurrency) throw new RangeError(`maxRunning (${options.maxRunning}) must be at least concurrency (${options.concurrency})`);
  }

  /** Tasks that could not start yet. */
  get pending(): number {
    return this.waiting.length - this.head;
  }

  /** Runs `task` once a worker is free; resolves or rejects with it. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    let holdsWorker = true;
    const stall = setTimeout(() => {
      holdsWorker = false;
      this.active--;
      this.startWaiting();
    }, this.options.stallMs);
    try {
      return await task();
    } finally {
      clearTimeout(stall);
      this.running--;
      if (holdsWorker) this.active--;
      this.startWaiting();
    }
  }

  private acquire(): Promise<void> {
    if (this.pending === 0 && this.hasRoom()) {
      this.active++;
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private hasRoom(): boolean {
    return this.active < this.options.concurrency && this.running < this.options.maxRunning;
  }

  private startWaiting(): void {
    while (this.pending > 0 && this.hasRoom()) {
      const start = this.waiting[this.head]!;
      this.head++;
      this.active++;
      this.running++;
      start();
    }
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
  }
}

// An in-process Store, for tests and tools: everything is lost when the process ends.
import type { DecisionInput, DecisionLimits, DecisionPage, DecisionQuery, DecisionRecord } from './decision-record.js';
import { MemoryDecisions } from './memory-decisions.js';
import type { AttemptsMade, DeadLetter, QueueStats, Store, StoredJob } from './store.js';

export interface MemoryStoreOptions {
  /** How long a delivery key is remembered, in ms (default 7 days). */
  retentionMs?: number;
  /** Most keys kept; the oldest go first beyond it (default 100 000). */
  maxKeys?: number;
  now?: () => number;
  /** How long decision records are kept, and how many at most (default 7 days, 50,000). */
  decisions?: DecisionLimits;
}

export class MemoryStore implements Store {
  /** Insertion-ordered, so the oldest keys are at the front. */
  private readonly deliveries = new Map<string, number>();
  private readonly jobs = new Map<string, StoredJob>();
  private readonly dead = new Map<string, DeadLetter>();
  private readonly effects = new Map<string, number>();
  private readonly claims = new Map<string, { owner: string; at: number }>();
  private readonly scheduleRuns = new Map<string, number>();
  private readonly values = new Map<string, string>();
  private lastError: QueueStats['last_error'];
  private readonly retentionMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly records: MemoryDecisions;

  constructor(options: MemoryStoreOptions = {}) {
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3_600_000;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
    this.records = new MemoryDecisions(this.now, options.decisions);
  }

  async acceptDelivery(key: string | undefined, job: StoredJob): Promise<boolean> {
    if (key !== undefined && !(await this.recordDelivery(key))) return false;
    this.jobs.set(job.id, { ...job });
    return true;
  }

  private async recordDelivery(key: string): Promise<boolean> {
    const now = this.now();
    this.prune(now);
    const seenAt = this.deliveries.get(key);
    if (seenAt !== undefined && now - seenAt < this.retentionMs) return false;
    this.deliveries.delete(key);
    this.deliveries.set(key, now);
    if (this.deliveries.size > this.maxKeys) this.deliveries.delete(this.deliveries.keys().next().value!);
    return true;
  }


  async unfinishedJobIds(): Promise<string[]> {
    return [...this.jobs.keys()];
  }

  async job(id: string): Promise<StoredJob | undefined> {
    const job = this.jobs.get(id);
    return job && { ...job };
  }

  async finishJob(id: string): Promise<void> {
    this.jobs.delete(id);
  }

  async retryJobLater(id: string, nextAttemptAt: number, error: string, firstAttemptAt: number): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) return;
    Object.assign(job, { attempts: job.attempts + 1, next_attempt_at: nextAttemptAt, last_error: error, first_attempt_at: job.first_attempt_at ?? firstAttemptAt });
    this.lastError = { job: id, message: error, at: this.now() };
    this.records.settle(id, 'retrying', error);
  }

  async deadLetter(id: string, reason: string, made: AttemptsMade): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) return;
    this.jobs.delete(id);
    const first = job.first_attempt_at ?? made.first_attempt_at;
    this.dead.set(id, { job: { ...job, attempts: made.attempts, first_attempt_at: first }, reason, failed_at: this.now() });
    this.lastError = { job: id, message: reason, at: this.now() };
    this.records.settle(id, 'dead_letter', reason);
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return [...this.dead.values()];
  }

  async reviveDeadLetter(id: string): Promise<StoredJob | undefined> {
    const letter = this.dead.get(id);
    if (!letter) return undefined;
    this.dead.delete(id);
    // When its first attempt began stays: comments of its earlier attempts are looked for from then.
    const job = { ...letter.job, attempts: 0, received_at: this.now(), next_attempt_at: this.now(), last_error: undefined };
    this.jobs.set(id, job);
    this.records.settle(id, 'retrying', 'put back from the dead letters');
    return { ...job };
  }

  async queueStats(): Promise<QueueStats> {
    const jobs = [...this.jobs.values()];
    return {
      depth: jobs.length,
      oldest_pending_at: jobs.length > 0 ? Math.min(...jobs.map((job) => job.received_at)) : undefined,
      dead_letters: this.dead.size,
      last_error: this.lastError,
    };
  }

  async claim(key: string, owner: string): Promise<'new' | 'own' | 'taken'> {
    const now = this.now();
    const held = this.claims.get(key);
    if (held && now - held.at < this.retentionMs) return held.owner === owner ? 'own' : 'taken';
    this.claims.set(key, { owner, at: now });
    return 'new';
  }

  async effectTime(jobId: string, effect: string): Promise<number | undefined> {
    return this.effects.get(`${jobId}\n${effect}`);
  }

  async recordEffect(jobId: string, effect: string): Promise<void> {
    this.effects.set(`${jobId}\n${effect}`, this.now());
  }

  async lastScheduleRun(rule: string): Promise<number | undefined> {
    return this.scheduleRuns.get(rule);
  }

  async recordScheduleRun(rule: string, at: number): Promise<void> {
    this.scheduleRuns.set(rule, at);
  }

  async recordDecision(record: DecisionInput): Promise<void> {
    this.records.record(record);
  }

  async decisions(query: DecisionQuery): Promise<DecisionPage> {
    return this.records.decisions(query);
  }

  async decision(id: string): Promise<DecisionRecord | undefined> {
    return this.records.decision(id);
  }

  async close(): Promise<void> {}

  private prune(now: number): void {
    for (const [key, seenAt] of this.deliveries) {
      if (now - seenAt < this.retentionMs) return;
      this.deliveries.delete(key);
    }
  }

  async value(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async swapValue(key: string, expected: string | undefined, next: string | undefined): Promise<boolean> {
    if (this.values.get(key) !== expected) return false;
    if (next === undefined) this.values.delete(key);
    else this.values.set(key, next);
    return true;
  }
}

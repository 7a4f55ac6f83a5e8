// An in-process Store: delivery keys kept for a retention window, bounded in number.
import type { Store } from './store.js';

export interface MemoryStoreOptions {
  /** How long a delivery key is remembered, in ms (default 7 days). */
  retentionMs?: number;
  /** Most keys kept; the oldest go first beyond it (default 100 000). */
  maxKeys?: number;
  now?: () => number;
}

export class MemoryStore implements Store {
  /** Insertion-ordered, so the oldest keys are at the front. */
  private readonly deliveries = new Map<string, number>();
  private readonly scheduleRuns = new Map<string, number>();
  private readonly retentionMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3_600_000;
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  async recordDelivery(key: string): Promise<boolean> {
    const now = this.now();
    this.prune(now);
    const seenAt = this.deliveries.get(key);
    if (seenAt !== undefined && now - seenAt < this.retentionMs) return false;
    this.deliveries.delete(key);
    this.deliveries.set(key, now);
    if (this.deliveries.size > this.maxKeys) this.deliveries.delete(this.deliveries.keys().next().value!);
    return true;
  }

  async lastScheduleRun(rule: string): Promise<number | undefined> {
    return this.scheduleRuns.get(rule);
  }

  async recordScheduleRun(rule: string, at: number): Promise<void> {
    this.scheduleRuns.set(rule, at);
  }

  private prune(now: number): void {
    for (const [key, seenAt] of this.deliveries) {
      if (now - seenAt < this.retentionMs) return;
      this.deliveries.delete(key);
    }
  }
}

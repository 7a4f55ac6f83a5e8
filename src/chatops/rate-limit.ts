// Per-user command budget: at most `limit` commands per user and project in any sliding window.

export interface RateLimitOptions {
  /** Commands allowed per window (default 10). */
  limit?: number;
  /** Window length in ms (default one minute). */
  windowMs?: number;
  now?: () => number;
}

export type RateDecision = { allowed: true } | { allowed: false; limit: number; windowMs: number; retryInMs: number };

export class CommandRateLimiter {
  private readonly uses = new Map<string, number[]>();
  private readonly told = new Map<string, number>();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: RateLimitOptions = {}) {
    this.limit = options.limit ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Counts one command for `key` if the budget allows it. */
  take(key: string): RateDecision {
    const decision = this.check(key);
    if (decision.allowed) this.record(key);
    return decision;
  }

  /** Whether `key` may run a command now, without counting one. */
  check(key: string): RateDecision {
    const now = this.now();
    const recent = (this.uses.get(key) ?? []).filter((at) => now - at < this.windowMs);
    this.uses.set(key, recent);
    if (recent.length < this.limit) return { allowed: true };
    return { allowed: false, limit: this.limit, windowMs: this.windowMs, retryInMs: recent[0]! + this.windowMs - now };
  }

  /** Counts one command that ran for `key`. */
  record(key: string): void {
    const now = this.now();
    this.uses.set(key, [...(this.uses.get(key) ?? []), now]);
    if (this.uses.size > 10_000) this.forgetIdle(now);
  }

  /**
   * Whether to answer an over-limit user with a reply: once per window. Further over-limit notes get
   * only a reaction, so a flood of commands cannot turn into a flood of bot comments.
   */
  shouldExplain(key: string): boolean {
    const now = this.now();
    const last = this.told.get(key);
    if (last !== undefined && now - last < this.windowMs) return false;
    this.told.set(key, now);
    return true;
  }

  private forgetIdle(now: number): void {
    for (const [key, at] of this.told) if (now - at >= this.windowMs) this.told.delete(key);
    for (const [key, times] of this.uses) if (times.every((at) => now - at >= this.windowMs)) this.uses.delete(key);
  }
}

// A token bucket shared by every GitLab call, so bursts queue up instead of running into 429s.

export interface RateBudgetOptions {
  /** Requests allowed per minute on average. */
  perMinute: number;
  /** Requests that may go at once after a quiet spell (default: ten seconds' worth, at least 1). */
  burst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Hands out one token per request, refilled continuously at `perMinute`. GitLab can also ask for a
 * pause (429 `Retry-After`, or `RateLimit-Remaining: 0` until `RateLimit-Reset`): then every caller
 * waits until then.
 */
export class RateBudget {
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;
  private readonly perMs: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Callers waiting, served in order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: RateBudgetOptions) {
    this.perMs = options.perMinute / 60_000;
    this.burst = Math.max(1, options.burst ?? Math.floor(options.perMinute / 6));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.tokens = this.burst;
    this.updatedAt = this.now();
  }

  /** Waits until a request may be sent, then counts it. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Holds every request until `untilMs` (epoch ms). */
  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.pausedUntil) {
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      this.tokens = Math.min(this.burst, this.tokens + (now - this.updatedAt) * this.perMs);
      this.updatedAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil((1 - this.tokens) / this.perMs));
    }
  }
}

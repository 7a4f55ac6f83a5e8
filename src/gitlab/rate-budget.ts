// A token bucket shared by every GitLab call, so bursts queue up instead of running into 429s.

export interface RateBudgetOptions {
  /** Requests allowed per minute on average. */
  perMinute: number;
  /** Requests that may go at once after a quiet spell (default: ten seconds' worth, at least 1). */
  burst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told how long each caller that had to wait waited, in ms (for metrics). */
  onWait?: (ms: number) => void;
}

/**
 * Hands out one token per request, refilled continuously at `perMinute`. GitLab can also ask for a
 * pause (429 `Retry-After`, or `RateLimit-Remaining: 0` until `RateLimit-Reset`): then every caller
 * waits until then.
 *
 * A caller beyond the burst takes a token on credit and sleeps until the bucket has refilled what is
 * owed up to and including its own token, so callers go in the order they asked, at the configured
 * rate. Each caller waits on a timer of its own and never on another caller's promise: on Workers a
 * promise made while handling one request must not be awaited while handling another.
 */
export class RateBudget {
  /** Tokens in the bucket; below zero, the tokens owed to callers still sleeping. */
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;
  private readonly perMs: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onWait: ((ms: number) => void) | undefined;

  constructor(options: RateBudgetOptions) {
    this.perMs = options.perMinute / 60_000;
    this.burst = Math.max(1, options.burst ?? Math.floor(options.perMinute / 6));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.onWait = options.onWait;
    this.tokens = this.burst;
    this.updatedAt = this.now();
  }

  /** Waits until a request may be sent, then counts it. */
  async take(): Promise<void> {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.updatedAt) * this.perMs) - 1;
    this.updatedAt = now;
    const owed = this.tokens < 0 ? Math.ceil(-this.tokens / this.perMs) : 0;
    if (owed > 0) await this.sleep(owed);
    // A pause GitLab asked for while this caller slept holds it too.
    for (let at = this.now(); at < this.pausedUntil; at = this.now()) await this.sleep(this.pausedUntil - at);
    if (this.onWait && this.now() > now) this.onWait(this.now() - now);
  }

  /** Requests that may go at once now, without waiting (0 while GitLab asked for a pause). */
  available(): number {
    const now = this.now();
    if (now < this.pausedUntil) return 0;
    return Math.max(0, Math.floor(Math.min(this.burst, this.tokens + (now - this.updatedAt) * this.perMs)));
  }

  /** Holds every request until `untilMs` (epoch ms). */
  pauseUntil(untilMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
  }
}

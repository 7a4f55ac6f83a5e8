// GitLab's rate-limit headers, sent on every answer.
// https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/#response-headers

/** Counts requests down from `limit`; the fake reports the limit but never enforces it. */
export class RateLimitCounter {
  private remaining: number;

  constructor(private readonly limit: number) {
    this.remaining = limit;
  }

  /** Count one request and return the headers for its answer. */
  consume(now = Date.now()): Record<string, string> {
    this.remaining = Math.max(0, this.remaining - 1);
    return {
      'ratelimit-limit': String(this.limit),
      'ratelimit-remaining': String(this.remaining),
      'ratelimit-reset': String(Math.ceil(now / 1000) + 60),
    };
  }
}

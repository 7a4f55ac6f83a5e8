// How long to wait before retrying a GitLab request: exponential back-off with jitter, or what GitLab asked for.

export interface BackoffOptions {
  /** Delay before the first retry, in ms (default 500). */
  baseDelayMs: number;
  /** Upper bound of any single wait, in ms (default 30 000). */
  maxDelayMs: number;
}

/** Full-jitter exponential back-off: a random delay in [0, min(max, base·2^attempt)]. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling * random());
}

/**
 * The wait GitLab asks for, in ms, if it says: `Retry-After` (seconds or an HTTP date; read on 429
 * and 503 answers, or when `always` is set), else `RateLimit-Reset` (unix seconds) when
 * `RateLimit-Remaining` is 0. Undefined when it says nothing.
 */
export function requestedDelay(headers: Headers, nowMs: number, always = true): number | undefined {
  const retryAfter = always ? headers.get('retry-after') : null;
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - nowMs);
  }
  const remaining = headers.get('ratelimit-remaining');
  const reset = Number(headers.get('ratelimit-reset'));
  if (remaining === '0' && Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - nowMs);
  return undefined;
}

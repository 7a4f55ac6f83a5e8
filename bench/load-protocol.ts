// What the benchmark sends to its load-generator child process, and the summary the child prints back.
import { z } from 'zod';

export const LoadRequestSchema = z.strictObject({
  /** Full URL, path included. */
  url: z.url(),
  /** File whose bytes are POSTed as the body of every request. */
  bodyFile: z.string().min(1),
  headers: z.record(z.string(), z.string()),
  connections: z.number().int().positive(),
  durationS: z.number().positive(),
  warmupS: z.number().nonnegative(),
  /** Prefix of every per-request key, unique per run, so that no two requests share a key. */
  keyPrefix: z.string().min(1),
  /** The header that carries the per-request key: `Idempotency-Key` for GitLab, `X-GitHub-Delivery` for GitHub. */
  keyHeader: z.string().min(1),
});
export type LoadRequest = z.infer<typeof LoadRequestSchema>;

export const LoadSummarySchema = z.strictObject({
  durationS: z.number(),
  /** Completed requests in the measured part (the warm-up excluded). */
  requests: z.number().int(),
  /** Completed requests in the warm-up. */
  warmupRequests: z.number().int(),
  requestsPerSecond: z.number(),
  /** Exact percentiles of 2xx response times, from every response (autocannon's own histogram has 1 ms steps). */
  latencyMs: z.strictObject({ p50: z.number(), p90: z.number(), p99: z.number(), max: z.number(), mean: z.number() }),
  statusCodes: z.record(z.string(), z.number().int()),
  non2xx: z.number().int(),
  errors: z.number().int(),
  timeouts: z.number().int(),
});
export type LoadSummary = z.infer<typeof LoadSummarySchema>;

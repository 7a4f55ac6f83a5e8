// Command-line options of `npm run bench`, validated: `npm run bench -- --duration 5 --rounds 3 --only ingest`.
import { parseArgs } from 'node:util';
import { z } from 'zod';

const positive = (fallback: number) => z.coerce.number().positive().default(fallback);

export const BenchOptionsSchema = z.strictObject({
  /** Seconds of measured load per run. */
  duration: positive(10),
  /** Seconds of warm-up load before each run, not measured. */
  warmup: z.coerce.number().nonnegative().default(2),
  /** Rounds of ingest runs; each round runs every target once. */
  rounds: z.coerce.number().int().min(1).default(2),
  connections: z.coerce.number().int().min(1).default(10),
  /** Run one benchmark only; all but the soak when absent (the soak runs only when named). */
  only: z.enum(['matching', 'ingest', 'scan', 'chatops', 'worker', 'soak']).optional(),
  /** Workers: events per measured run. */
  'worker-events': z.coerce.number().int().min(1).default(300),
  /** Soak: webhooks sent, one per merge request (the full run is 20,000). */
  'soak-events': z.coerce.number().int().min(1).default(5_000),
  /** Soak: webhooks per second. */
  'soak-rate': positive(400),
  /** Soak: share of merge requests whose label PUT or comment POST meets a GitLab fault. */
  'soak-fault-rate': z.coerce.number().min(0).max(1).default(0.05),
  /** Soak: rulebot's QUEUE_CONCURRENCY; one worker per project (10), so a slow answer stalls only its own project. */
  'soak-concurrency': z.coerce.number().int().min(1).max(64).default(10),
  /** Where the raw figures are written. */
  out: z.string().min(1).default('bench/results.json'),
});
export type BenchOptions = z.infer<typeof BenchOptionsSchema>;

/** Bad command-line arguments, said in words for the person who typed them. */
export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

/** Parses the arguments; throws BenchUsageError on unknown or invalid ones. */
export function parseBenchOptions(args: readonly string[]): BenchOptions {
  const parsed = BenchOptionsSchema.safeParse(readArgs(args));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`);
  throw new BenchUsageError(`invalid bench options: ${problems.join('; ')}`);
}

function readArgs(args: readonly string[]): Record<string, string | undefined> {
  const text = { type: 'string' } as const;
  try {
    const { values } = parseArgs({
      args: [...args],
      options: { duration: text, warmup: text, rounds: text, connections: text, only: text, out: text,
        'soak-events': text, 'soak-rate': text, 'soak-fault-rate': text, 'soak-concurrency': text, 'worker-events': text },
      strict: true,
    });
    return values;
  } catch (cause) {
    throw new BenchUsageError((cause as Error).message, { cause });
  }
}

// What the scan benchmark sends to the rulebot child process (bench/scan-child.ts), and what the child sends back.
import { z } from 'zod';

export const ScanChildRequestSchema = z.strictObject({
  /** The environment rulebot is started with (GITLAB_URL, RULES_DIR, budgets, …). */
  env: z.record(z.string(), z.string()),
  /** The schedule rule to run, by name. */
  rule: z.string().min(1),
  /** How often the child samples its own memory during the scan, in ms. */
  sampleMs: z.number().positive(),
});
export type ScanChildRequest = z.infer<typeof ScanChildRequestSchema>;

/** The parent's go-ahead, sent once it has cleared the fake GitLab's record of rulebot's start-up calls. */
export const ScanGoSchema = z.strictObject({ type: z.literal('go') });

const MemorySchema = z.strictObject({
  /** RSS just before the scan, after start-up. */
  rssBeforeBytes: z.number(),
  /** Highest RSS sampled during the scan. */
  rssPeakBytes: z.number(),
  /** The process's RSS high-water mark from the kernel (`process.resourceUsage().maxRSS`) before the scan: start-up's peak. */
  maxRssBeforeBytes: z.number(),
  /** The same after the scan: at least the true peak, whatever fell between samples. */
  maxRssBytes: z.number(),
  heapUsedPeakBytes: z.number(),
  samples: z.number().int(),
});
export type ScanMemory = z.infer<typeof MemorySchema>;

/** The parts of rulebot's ScanReport the benchmark reads (its `items` stay in the child). */
const ScanSummarySchema = z.strictObject({
  scanned: z.number().int(),
  matched: z.number().int(),
  acted: z.number().int(),
  api_calls: z.number().int(),
  stopped_at_limit: z.boolean(),
  duration_ms: z.number(),
  /** Items (or the listing) that failed: how many, and the first few. */
  errors: z.strictObject({ count: z.number().int(), first: z.array(z.string()) }),
});
export type ScanSummary = z.infer<typeof ScanSummarySchema>;

export const ScanChildMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('ready'),
    /** The child's Node flags and NODE_OPTIONS, for the parent to check that tsx is not loaded. */
    execArgv: z.array(z.string()),
    nodeOptions: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('done'),
    report: ScanSummarySchema,
    memory: MemorySchema,
    /** Wall time of `runSchedule`, measured around the call. */
    wallMs: z.number(),
    /** CPU time of the child (all threads) during the scan. */
    cpuMs: z.number(),
    /** Warnings and errors rulebot logged during the scan: how many, and the first few. */
    logged: z.strictObject({ count: z.number().int(), first: z.array(z.string()) }),
  }),
]);
export type ScanChildMessage = z.infer<typeof ScanChildMessageSchema>;
export type ScanChildDone = Extract<ScanChildMessage, { type: 'done' }>;

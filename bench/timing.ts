// Times a fast synchronous function: warm-up, batches calibrated to a fixed length, median over the batches.
import { median } from './stats.js';

export interface Timing {
  /** Median over the batches of the mean time per call. */
  nsPerCall: number;
  /** Fastest and slowest batch, per call. */
  minNs: number;
  maxNs: number;
  calls: number;
}

export interface TimingOptions {
  /** Default 200 ms: long enough for V8 to optimise the code under test. */
  warmupMs?: number;
  /** Default 25 ms. */
  batchMs?: number;
  /** Default 9. */
  batches?: number;
}

/** Times `fn`; its results are kept in a sink so that no call can be optimised away. */
export function timeCalls(fn: () => unknown, options: TimingOptions = {}): Timing {
  const { warmupMs = 200, batchMs = 25, batches = 9 } = options;
  const sink: unknown[] = [undefined];
  let perBatch = 1;
  const warmupEnd = performance.now() + warmupMs;
  // Warm-up doubles the batch size until one batch lasts batchMs, then goes on until warmupMs have passed.
  for (;;) {
    if (measure(fn, perBatch, sink) < batchMs * 1e6) perBatch *= 2;
    else if (performance.now() >= warmupEnd) break;
  }
  const perCall: number[] = [];
  for (let b = 0; b < batches; b++) perCall.push(measure(fn, perBatch, sink) / perBatch);
  return { nsPerCall: median(perCall), minNs: Math.min(...perCall), maxNs: Math.max(...perCall), calls: perBatch * batches };
}

function measure(fn: () => unknown, calls: number, sink: unknown[]): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) sink[0] = fn();
  return Number(process.hrtime.bigint() - start);
}

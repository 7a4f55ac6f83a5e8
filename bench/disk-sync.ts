// How long the disk takes to make a write durable: what every 202 of rulebot waits for, and the other targets do not.
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantile } from './stats.js';

export interface DiskSync {
  /** Write and fdatasync of 64 KB (about one commit of ten 6 KB deliveries) in the directory rulebot's data goes to. */
  p50Ms: number;
  p90Ms: number;
  samples: number;
}

/**
 * Times `samples` writes of 64 KB, each made durable with fdatasync, in a fresh directory under the system's
 * temporary directory (where the ingest benchmark puts rulebot's DATA_DIR). On a shared machine this moves
 * with other work's I/O, and rulebot's req/s with it: with 10 connections, at most 10 deliveries share a commit.
 */
export function measureDiskSync(samples = 50): DiskSync {
  const dir = mkdtempSync(join(tmpdir(), 'rulebot-bench-sync-'));
  const fd = openSync(join(dir, 'probe'), 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      writeSync(fd, block, 0, block.length, 0);
      fdatasyncSync(fd);
      times.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  const sorted = Float64Array.from(times).sort();
  return { p50Ms: quantile(sorted, 0.5), p90Ms: quantile(sorted, 0.9), samples };
}

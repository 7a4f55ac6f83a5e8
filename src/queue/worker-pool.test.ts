import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkerPool } from './worker-pool.js';

/** A task that runs until `finish()` is called, recording when it started. */
function gate(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { task: () => (started.push(name), done), finish };
}

describe('WorkerPool', () => {
  afterEach(() => vi.useRealTimers());

  it('runs at most `concurrency` tasks while they make progress, in the order they were added', async () => {
    vi.useFakeTimers();
    const pool = new WorkerPool({ concurrency: 2, stallMs: 1_000, maxRunning: 8 });
    const started: string[] = [];
    const gates = ['a', 'b', 'c', 'd'].map((name) => gate(started, name));
    const runs = gates.map((g) => pool.run(g.task));
    await vi.advanceTimersByTimeAsync(999);
    expect(started).toEqual(['a', 'b']);
    expect(pool.pending).toBe(2);
    gates[1]!.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['a', 'b', 'c']);
    for (const g of gates) g.finish();
    await Promise.all(runs);
    expect(started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives a stalled task’s worker to the next one, and caps the tasks running in all', async () => {
    vi.useFakeTimers();
    const pool = new WorkerPool({ concurrency: 1, stallMs: 1_000, maxRunning: 2 });
    const started: string[] = [];
    const gates = ['slow', 'second', 'third'].map((name) => gate(started, name));
    const runs = gates.map((g) => pool.run(g.task));
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['slow']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toEqual(['slow', 'second']);
    // Both have stalled now, but two run already: the third waits for one of them to end.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(started).toEqual(['slow', 'second']);
    gates[0]!.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['slow', 'second', 'third']);
    for (const g of gates) g.finish();
    await Promise.all(runs);
  });

  it('passes on a task’s result and its failure, and frees its worker either way', async () => {
    const pool = new WorkerPool({ concurrency: 1, stallMs: 1_000, maxRunning: 1 });
    await expect(pool.run(() => Promise.reject(new Error('GitLab said no')))).rejects.toThrow('GitLab said no');
    await expect(pool.run(async () => 42)).resolves.toBe(42);
    expect(pool.pending).toBe(0);
  });

  it('refuses a cap below the concurrency', () => {
    expect(() => new WorkerPool({ concurrency: 4, stallMs: 1_000, maxRunning: 2 })).toThrow('maxRunning (2) must be at least concurrency (4)');
  });
});

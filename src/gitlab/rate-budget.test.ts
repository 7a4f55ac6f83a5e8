import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateBudget } from './rate-budget.js';

/** Fake timers: sleeps end when the test runs the timers, and time moves exactly as far as they need. */
function fakeTime() {
  const start = Date.now();
  const now = () => Date.now();
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  return { now, sleep, elapsed: () => Date.now() - start };
}

/** Runs `work` while letting fake time pass until it is done. */
async function settle<T>(work: Promise<T>): Promise<T> {
  let done = false;
  const result = work.finally(() => (done = true));
  while (!done) await vi.advanceTimersToNextTimerAsync();
  return result;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RateBudget', () => {
  it('lets a burst through, then spaces requests at the configured rate', async () => {
    const time = fakeTime();
    const budget = new RateBudget({ perMinute: 60, burst: 5, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 5; i++) await budget.take();
    expect(time.elapsed()).toBe(0);
    for (let i = 0; i < 10; i++) await settle(budget.take());
    // 60 per minute: one more request per second once the burst is spent.
    expect(time.elapsed()).toBe(10_000);
  });

  it('keeps 120 requests at 600 per minute within the budget', async () => {
    const time = fakeTime();
    const budget = new RateBudget({ perMinute: 600, now: time.now, sleep: time.sleep });
    await settle(Promise.all(Array.from({ length: 120 }, () => budget.take())));
    // A burst of 100 (ten seconds' worth), then 20 more at 10 per second.
    expect(time.elapsed()).toBe(2_000);
  });

  it('holds every request while GitLab asked for a pause', async () => {
    const time = fakeTime();
    const budget = new RateBudget({ perMinute: 6000, now: time.now, sleep: time.sleep });
    budget.pauseUntil(Date.now() + 30_000);
    await settle(budget.take());
    expect(time.elapsed()).toBe(30_000);
  });

  it('holds callers already waiting when GitLab asks for a pause meanwhile', async () => {
    const time = fakeTime();
    const budget = new RateBudget({ perMinute: 60, burst: 1, now: time.now, sleep: time.sleep });
    await budget.take();
    const second = budget.take();
    budget.pauseUntil(Date.now() + 5_000);
    await settle(second);
    expect(time.elapsed()).toBe(5_000);
  });
});

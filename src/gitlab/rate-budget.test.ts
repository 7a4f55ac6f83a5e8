import { describe, expect, it } from 'vitest';
import { RateBudget } from './rate-budget.js';

/** A clock that only moves when someone sleeps, recording every wait. */
function fakeTime() {
  let now = 0;
  const waits: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
    waits,
    elapsed: () => now,
  };
}

describe('RateBudget', () => {
  it('lets a burst through, then spaces requests at the configured rate', async () => {
    const time = fakeTime();
    const budget = new RateBudget({ perMinute: 60, burst: 5, now: time.now, sleep: time.sleep });
    for (let i = 0; i < 5; i++) await budget.take();
    expect(time.elapsed()).toBe(0);
    for (let i = 0; i < 10; i++) await budget.take();
    // 60 per minute: one more request per second once the burst is spent.
    expect(time.elapsed()).toBe(10_000);
  });

  it('keeps 120 requests at 600 per minute within the budget', async () => {
    const time = fakeTime();
    const budget = new RateBudget({ perMinute: 600, now: time.now, sleep: time.sleep });
    await Promise.all(Array.from({ length: 120 }, () => budget.take()));
    // A burst of 100 (ten seconds' worth), then 20 more at 10 per second.
    expect(time.elapsed()).toBe(2_000);
  });

  it('holds every request while GitLab asked for a pause', async () => {
    const time = fakeTime();
    const budget = new RateBudget({ perMinute: 6000, now: time.now, sleep: time.sleep });
    budget.pauseUntil(30_000);
    await budget.take();
    expect(time.elapsed()).toBe(30_000);
  });
});

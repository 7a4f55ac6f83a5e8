import { describe, expect, it } from 'vitest';
import { BodyBudget } from './body-budget.js';

describe('BodyBudget', () => {
  it('lets bodies in while they fit, and the next one in order once room is given back', async () => {
    const budget = new BodyBudget(100);
    const first = await budget.reserve(60);
    const second = await budget.reserve(40);
    const order: string[] = [];
    const third = budget.reserve(50).then((release) => (order.push('third'), release));
    const fourth = budget.reserve(10).then((release) => (order.push('fourth'), release));
    await Promise.resolve();
    expect(budget.waitingCount).toBe(2);
    expect(order).toEqual([]);

    first();
    const releaseThird = await third;
    // The small one waited behind the larger one that arrived before it, and fits beside it.
    const releaseFourth = await fourth;
    expect(order).toEqual(['third', 'fourth']);
    expect(budget.bytesInFlight).toBe(100);
    second();
    releaseThird();
    releaseFourth();
    releaseFourth();
    expect(budget.bytesInFlight).toBe(0);
  });

  it('lets a body larger than the whole budget through alone', async () => {
    const budget = new BodyBudget(10);
    const huge = await budget.reserve(1_000);
    let small = false;
    const next = budget.reserve(1).then(() => (small = true));
    await Promise.resolve();
    expect(small).toBe(false);
    huge();
    await next;
    expect(small).toBe(true);
  });
});

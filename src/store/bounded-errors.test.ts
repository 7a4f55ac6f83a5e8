import { describe, expect, it } from 'vitest';
import { withBoundedErrors } from './bounded-errors.js';
import { MemoryStore } from './memory-store.js';
import type { StoredJob } from './store.js';

const SECRET = 'glpat-secret-token-value';
const bytes = (text: string) => new TextEncoder().encode(text).byteLength;
const job = (id: string): StoredJob => ({ id, project_id: 1, payload: '{}', event_uuid: undefined, received_at: 0, attempts: 0, next_attempt_at: 0, last_error: undefined });
const huge = `GitLab said ${SECRET}: ${'x'.repeat(5 * 1024 * 1024)}`;

describe('withBoundedErrors', () => {
  it('records last errors and dead-letter reasons at most 2 KB long and without secrets', async () => {
    const inner = new MemoryStore();
    const store = withBoundedErrors(inner, [SECRET]);
    await store.acceptDelivery('a', job('a'));
    await store.retryJobLater('a', 1, huge, 1);
    expect((await inner.job('a'))?.last_error).toMatch(/^GitLab said \[redacted\]: x+… \(\d+ bytes, cut\)$/);
    await store.deadLetter('a', huge, { attempts: 1, first_attempt_at: 1 });
    const [letter] = await inner.deadLetters();
    expect(bytes(letter!.reason)).toBeLessThanOrEqual(2048);
    expect(letter!.reason).not.toContain(SECRET);
  });

  it('records the reason of a decision record without secrets', async () => {
    const inner = new MemoryStore();
    const store = withBoundedErrors(inner, [SECRET]);
    const record = {
      id: 'd', event: 'merge_request.open', event_uuid: null, project: null, subject: null, user: null, outcome: 'retrying' as const, reason: huge,
      received_at: Date.now(), finished_at: Date.now(), attempts: 1, dry_run: false, rules: [], rules_omitted: 0, commands: [], calls: [], calls_omitted: 0, planned: [], warnings: [], schedule: null,
    };
    await store.recordDecision(record);
    expect((await inner.decision('d'))?.reason).toMatch(/^GitLab said \[redacted\]: x+…/);
  });

  it('cleans what it hands out, even when recorded without it', async () => {
    const inner = new MemoryStore();
    await inner.acceptDelivery('b', job('b'));
    await inner.deadLetter('b', huge, { attempts: 1, first_attempt_at: 1 });
    const store = withBoundedErrors(inner, [SECRET]);
    const [letter] = await store.deadLetters();
    expect(letter?.reason).toMatch(/^GitLab said \[redacted\]: x+… \(\d+ bytes, cut\)$/);
    const { last_error } = await store.queueStats();
    expect(bytes(last_error!.message)).toBeLessThanOrEqual(2048);
    expect(last_error!.message).not.toContain(SECRET);
  });

  it("passes every other method through, a runtime's optional ones included", async () => {
    const inner = Object.assign(new MemoryStore(), { writable: async () => false });
    const store = withBoundedErrors(inner, [SECRET]);
    expect(await store.writable?.()).toBe(false);
    expect(store).toBeInstanceOf(MemoryStore);
    await store.acceptDelivery('c', job('c'));
    expect(await store.unfinishedJobIds()).toEqual(['c']);
  });
});

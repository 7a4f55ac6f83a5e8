// End to end: every authentic delivery is answered 2xx whatever its shape, on each runtime; what cannot be read is a dead letter naming the field.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIFTED_PAYLOADS } from '../support/drifted-payloads.js';
import { mergeRequestPayload } from '../support/events.js';
import { SECRET, startHarness, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

/** GitLab's published examples (webhook_events.md), copied as GitLab publishes them, quirks included. */
const PUBLISHED_DIR = fileURLToPath(new URL('../fixtures/gitlab-payloads/', import.meta.url));
const PUBLISHED = readdirSync(PUBLISHED_DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => [name, JSON.parse(readFileSync(`${PUBLISHED_DIR}${name}`, 'utf8')) as Record<string, unknown>] as const);

async function deadLetters(h: Harness): Promise<{ id: string; reason: string; project_id: number }[]> {
  const response = await h.fetch('/dead-letters', { headers: { authorization: `Bearer ${SECRET}` } });
  return (await response.json()).dead_letters;
}

describe.each(RUNTIMES)('authentic deliveries of any shape ($name)', (runtime) => {
  let h: Harness;
  beforeAll(async () => {
    // No rule acts on these events: the test is about intake, so GitLab is asked nothing.
    h = await runtime.start({ rules: { 'none.yml': 'rules: []\n' } });
  });
  afterAll(async () => h.close());

  it.each(PUBLISHED)("answers GitLab's published example %s with 2xx", async (_name, payload) => {
    const { status, body } = await h.post(payload);
    expect(status, JSON.stringify(body)).toBeGreaterThanOrEqual(200);
    expect(status).toBeLessThan(300);
    expect(body.status).not.toBe('dead_letter');
  });

  it.each(DRIFTED_PAYLOADS.map((drifted) => [drifted.name, drifted] as const))('answers 2xx to a drifted payload: %s', async (_name, { payload, expect: expected }) => {
    const { status, body } = await h.post(payload);
    if (expected === 'read') {
      expect({ status, body }).toEqual({ status: 202, body: { status: 'accepted', event_id: expect.any(String) } });
      return;
    }
    expect({ status, body }).toEqual({
      status: 202,
      body: { status: 'dead_letter', event_id: expect.any(String), code: 'unreadable_payload', error: expect.stringContaining(`${expected.unreadable}: `) },
    });
    // Listed with the field and its problem, so that it can be put back once rulebot reads it.
    const letter = (await deadLetters(h)).find((candidate) => candidate.id === body.event_id);
    expect(letter?.reason).toMatch(new RegExp(`^unreadable_payload: not a readable GitLab \\w+ event: .*${expected.unreadable.replace('.', '\\.')}: `));
  });

  it('reads every readable variant to the end, and a dead letter put back is a dead letter again until rulebot reads it', async () => {
    await h.settle();
    const letters = await deadLetters(h);
    const unreadable = DRIFTED_PAYLOADS.filter((drifted) => drifted.expect !== 'read').length;
    expect(letters).toHaveLength(unreadable);
    const first = letters[0]!;
    const retried = await h.fetch(`/dead-letters/${encodeURIComponent(first.id)}/retry`, { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } });
    expect(retried.status).toBe(202);
    await h.settle();
    const again = (await deadLetters(h)).find((letter) => letter.id === first.id);
    expect(again?.reason).toBe(first.reason);
    expect(h.gitlab.requests).toEqual([]);
  });
});

// Node only: on Workers the platform bounds an isolate's memory and body sizes itself, and one request
// cannot wait for another to give room back (workerd cancels a request waiting on another's promise).
describe('bodies in flight (node)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ rules: { 'none.yml': 'rules: []\n' }, env: { MAX_BODY_BYTES_IN_FLIGHT: '1000000' } });
  });
  afterAll(async () => h.close());

  it('reads at most MAX_BODY_BYTES_IN_FLIGHT at once: further deliveries wait for room, none is refused', async () => {
    const deliveries = Array.from({ length: 6 }, (_, i) => {
      const payload = mergeRequestPayload({ iid: i + 1 });
      payload['object_attributes']['description'] = 'x'.repeat(600_000);
      return h.post(payload);
    });
    const answers = await Promise.all(deliveries);
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 202, 202, 202]);
    expect(h.logs.filter((line) => line.includes('delivery waits for room to read its body')).length).toBeGreaterThan(0);
    await h.settle();
    expect((await h.status()).queue).toMatchObject({ depth: 0, dead_letters: 0 });
  });
});

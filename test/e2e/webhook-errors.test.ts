// End to end: every answer the webhook endpoint gives a sender, on each runtime.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, mergeRequestPayload } from '../support/events.js';
import { SECRET, startHarness, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

async function raw(h: Harness, init: RequestInit & { headers?: Record<string, string> }, path = '/webhooks/gitlab') {
  const response = await h.fetch(path, {
    method: 'POST',
    ...init,
    headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, ...init.headers },
  });
  return { status: response.status, body: await response.json() };
}

describe.each(RUNTIMES)('webhook answers ($name)', (runtime) => {
  let h: Harness;
  beforeAll(async () => {
    h = await runtime.start();
  });
  afterAll(async () => h.close());

  it('answers 200 on /healthz', async () => {
    const response = await h.fetch('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('refuses a missing or wrong token with 401 before reading the body', async () => {
    expect(await raw(h, { body: '{}', headers: { 'x-gitlab-token': '' } })).toEqual({
      status: 401,
      body: { code: 'missing_token', error: 'missing X-Gitlab-Token header: set the secret token in the GitLab webhook settings' },
    });
    expect(await raw(h, { body: '{}', headers: { 'x-gitlab-token': `${SECRET}x` } })).toEqual({
      status: 401,
      body: { code: 'invalid_token', error: 'X-Gitlab-Token does not match the configured secret' },
    });
    // The secret never appears in what is logged.
    expect(h.logs.join('\n')).not.toContain(SECRET);
  });

  it('refuses malformed JSON and non-objects with 400 saying what was wrong', async () => {
    const bad = await raw(h, { body: '{"object_kind": "merge_request",' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_json');
    expect(bad.body.error).toMatch(/^body is not valid JSON: /);

    expect(await raw(h, { body: '[1, 2]' })).toEqual({
      status: 400,
      body: { code: 'not_an_object', error: 'expected a JSON object (a GitLab event), got an array' },
    });
    expect((await raw(h, { body: 'null' })).body.error).toBe('expected a JSON object (a GitLab event), got null');

    const invalidUtf8 = await raw(h, { body: new Uint8Array([0x7b, 0xff, 0x7d]) });
    expect(invalidUtf8).toEqual({ status: 400, body: { code: 'invalid_json', error: 'body is not valid UTF-8 text' } });

    // An authentic event rulebot cannot read is no error for GitLab: it is kept (webhook-shapes.test.ts).
    const payload = mergeRequestPayload();
    delete payload['object_attributes']['iid'];
    const unreadable = await raw(h, { body: JSON.stringify(payload) });
    expect(unreadable.status).toBe(202);
    expect(unreadable.body).toMatchObject({ status: 'dead_letter', code: 'unreadable_payload' });
    expect(unreadable.body.error).toContain('object_attributes.iid');
  });

  it('refuses a body that is not JSON by content type with 415', async () => {
    expect(await raw(h, { body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).toEqual({
      status: 415,
      body: { code: 'unsupported_media_type', error: 'expected Content-Type application/json, got application/x-www-form-urlencoded' },
    });
  });

  it('acknowledges authentic events it does not act on with 200, never an error', async () => {
    expect(await raw(h, { body: JSON.stringify({ object_kind: 'wiki_page', object_attributes: {} }) })).toEqual({
      status: 200,
      body: { status: 'ignored', reason: 'rulebot does not act on "wiki_page" events' },
    });
    expect(await raw(h, { body: JSON.stringify({ event_name: 'user_add_to_team' }) })).toEqual({
      status: 200,
      body: { status: 'ignored', reason: 'payload has no object_kind' },
    });
  });

  it('accepts push, pipeline, issue and note events', async () => {
    for (const name of ['push', 'pipeline', 'issue', 'note_issue', 'note_merge_request'] as const) {
      const answer = await raw(h, { body: JSON.stringify(fixture(name)), headers: { 'idempotency-key': `accept-${name}` } });
      expect(answer, name).toEqual({ status: 202, body: { status: 'accepted', event_id: `accept-${name}` } });
    }
    await h.settle();
  });

  it('tells apart re-sent deliveries from events sharing a chain UUID on GitLab before 17.4', async () => {
    const headers = { 'x-gitlab-event-uuid': 'shared-chain' };
    const first = JSON.stringify(fixture('issue'));
    expect((await raw(h, { body: first, headers })).status).toBe(202);
    expect((await raw(h, { body: first, headers })).body.status).toBe('duplicate');
    // Another event of the same chain has another body: it is a new delivery.
    expect((await raw(h, { body: JSON.stringify(fixture('note_issue')), headers })).status).toBe(202);
    await h.settle();
  });

  it('shows the status only to a caller holding the webhook secret', async () => {
    const missing = await h.fetch('/status');
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ code: 'missing_token', error: expect.stringContaining('Authorization: Bearer') });
    const wrong = await h.fetch('/status', { headers: { authorization: 'Bearer not-the-secret' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'invalid_token' });
    // The webhook's own header is not enough: the status is asked for by people, not by GitLab.
    expect((await h.fetch('/status', { headers: { 'x-gitlab-token': SECRET } })).status).toBe(401);
    // The one dead letter is the unreadable merge request event sent above.
    expect((await h.status()).queue).toMatchObject({ depth: 0, dead_letters: 1 });
  });

  it('answers 404 JSON for unknown routes', async () => {
    const response = await h.fetch('/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'no route for GET /nope', code: 'not_found' });
  });
});

// workerd resets the connection when an answer comes before a 25 MB body has been sent (a Worker that only
// answers 413 loses about half of its answers that way), so the declared size is checked on Node alone.
describe('webhook answers on Node', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('refuses a body over 25 MB with 413', async () => {
    const huge = new Uint8Array(25 * 1024 * 1024 + 1).fill(0x20);
    const answer = await raw(h, { body: huge });
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ code: 'payload_too_large', error: "body too large: expected at most 26214400 bytes (GitLab's own limit), got 26214401 bytes" });
  });
});

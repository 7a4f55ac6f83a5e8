// End to end: signed webhooks (Standard Webhooks, GitLab 19+), secret rotation and replay protection, on each runtime.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../support/events.js';
import { SECRET, signatureHeaders, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const key = (text: string) => `whsec_${Buffer.from(text).toString('base64')}`;
const OLD_KEY = key('old-signing-key-0123456789abcdef');
const NEW_KEY = key('new-signing-key-0123456789abcdef');
const UNKNOWN_KEY = key('unknown-signing-key-0123456789ab');
const OLD_SECRET = 'old-webhook-secret-being-rotated';

async function expectHealthy(harness: Harness) {
  const response = await harness.fetch('/healthz');
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ status: 'ok' });
}

const now = () => Math.floor(Date.now() / 1000);
let n = 0;
/** A merge request event with a fresh delivery id, as text, so that it is signed exactly as sent. */
function delivery() {
  n++;
  return { id: `signed-${process.pid}-${n}`, body: JSON.stringify(mergeRequestPayload({ iid: 100 + n })) };
}

/** Headers of a delivery signed with `signingKey` at `timestamp`, carrying `token`. */
function signed(d: { id: string; body: string }, signingKey: string, options: { token?: string; timestamp?: number } = {}) {
  return { 'idempotency-key': d.id, 'x-gitlab-token': options.token ?? SECRET, ...signatureHeaders(signingKey, d.id, options.timestamp ?? now(), d.body) };
}

describe.each(RUNTIMES)('signed webhooks ($name)', (runtime) => {
  let h: Harness;
  beforeAll(async () => {
    h = await runtime.start({
      signingKey: NEW_KEY,
      env: { GITLAB_WEBHOOK_SECRET: `${OLD_SECRET}, ${SECRET}`, GITLAB_WEBHOOK_SIGNING_KEY: `${OLD_KEY},${NEW_KEY}` },
    });
  });
  afterAll(async () => h.close());
  afterEach(async () => expectHealthy(h));

  it('accepts a delivery signed with the current key', async () => {
    const d = delivery();
    expect(await h.post(d.body, signed(d, NEW_KEY))).toEqual({ status: 202, body: { status: 'accepted', event_id: d.id } });
  });

  it('accepts the old and the new key and secret while they are rotated', async () => {
    for (const [signingKey, token] of [
      [OLD_KEY, OLD_SECRET],
      [OLD_KEY, SECRET],
      [NEW_KEY, OLD_SECRET],
    ] as const) {
      const d = delivery();
      expect((await h.post(d.body, signed(d, signingKey, { token }))).status).toBe(202);
    }
  });

  it('refuses a signature made with a key that is not configured, or over another body', async () => {
    const d = delivery();
    const invalid = { status: 401, body: { code: 'invalid_signature', error: 'webhook-signature does not match the delivery signed with any configured signing token' } };
    expect(await h.post(d.body, signed(d, UNKNOWN_KEY))).toEqual(invalid);
    const tampered = d.body.replace('"iid":', '"iid":1');
    expect(await h.post(tampered, signed(d, NEW_KEY))).toEqual(invalid);
  });

  it('refuses an unsigned delivery when a signing key is configured', async () => {
    const d = delivery();
    const answer = await h.post(d.body, { 'idempotency-key': d.id, 'webhook-signature': '' });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      code: 'missing_signature',
      error: 'missing webhook-signature header: GITLAB_WEBHOOK_SIGNING_KEY is set, so every delivery must be signed; set the signing token in the GitLab webhook settings',
    });
  });

  it('requires both the secret token and the signature when both are configured', async () => {
    const d = delivery();
    expect((await h.post(d.body, signed(d, NEW_KEY, { token: '' }))).body.code).toBe('missing_token');
    expect((await h.post(d.body, signed(d, NEW_KEY, { token: 'a-wrong-token-value' }))).body.code).toBe('invalid_token');
    expect((await h.post(d.body, { ...signed(d, UNKNOWN_KEY), 'x-gitlab-token': SECRET })).body.code).toBe('invalid_signature');
  });

  it('refuses timestamps more than 5 minutes in the past or the future', async () => {
    const d = delivery();
    const old = await h.post(d.body, signed(d, NEW_KEY, { timestamp: now() - 600 }));
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('stale_timestamp');
    expect(old.body.error).toMatch(/^webhook-timestamp is 60\d s in the past, expected within 300 s of rulebot's clock/);
    const future = await h.post(d.body, signed(d, NEW_KEY, { timestamp: now() + 600 }));
    expect(future.body.code).toBe('stale_timestamp');
    expect(future.body.error).toMatch(/s in the future, /);
    // Within the window, a skewed clock is fine.
    expect((await h.post(d.body, signed(d, NEW_KEY, { timestamp: now() - 240 }))).status).toBe(202);
  });

  it('recognises a replayed delivery by its signed webhook-id, even with another Idempotency-Key', async () => {
    const d = delivery();
    const headers = signed(d, NEW_KEY);
    expect((await h.post(d.body, headers)).status).toBe(202);
    const replay = await h.post(d.body, { ...headers, 'idempotency-key': 'changed-by-an-attacker' });
    expect(replay).toEqual({ status: 200, body: { status: 'duplicate', event_id: d.id } });
    await h.settle();
  });

  it('never logs or answers a configured secret or key, nor a received token or signature', async () => {
    // A body whose duplicate key is named after a secret makes rulebot log it: the logger must redact it.
    const body = `{"${OLD_SECRET}":1,"${OLD_SECRET}":2}`;
    const d = { id: 'redaction-check', body };
    const answer = await h.post(body, signed(d, OLD_KEY));
    expect(answer.body.code).toBe('duplicate_key');
    const refused = h.logs.filter((line) => line.includes('"code":"duplicate_key"')).at(-1);
    expect(refused).toContain('duplicate key \\"[redacted]\\"');

    const forged = signatureHeaders(UNKNOWN_KEY, 'x', now(), '{}')['webhook-signature']!;
    const wrongToken = 'received-wrong-token-value';
    const bodies = [
      await h.post('{}', { 'x-gitlab-token': wrongToken }),
      await h.post('{}', { 'webhook-signature': forged }),
    ].map((r) => JSON.stringify(r.body));
    const logs = h.logs.join('\n');
    for (const value of [SECRET, OLD_SECRET, OLD_KEY, NEW_KEY, OLD_KEY.slice(6), NEW_KEY.slice(6)]) expect(logs).not.toContain(value);
    for (const value of [wrongToken, forged.slice(3)]) {
      expect(logs).not.toContain(value);
      for (const text of bodies) expect(text).not.toContain(value);
    }
  });
});

describe.each(RUNTIMES)('signing key without a secret token ($name)', (runtime) => {
  let signingOnly: Harness;
  beforeAll(async () => {
    signingOnly = await runtime.start({ signingKey: NEW_KEY, env: { GITLAB_WEBHOOK_SECRET: undefined } });
  });
  afterAll(async () => signingOnly.close());
  afterEach(async () => expectHealthy(signingOnly));

  it('is enough to start with a GitLab token, and authenticates deliveries on its own', async () => {
    const d = delivery();
    expect((await signingOnly.post(d.body, signed(d, NEW_KEY, { token: '' }))).status).toBe(202);
    const unsigned = await signingOnly.post(d.body, { 'x-gitlab-token': '', 'webhook-signature': '' });
    expect(unsigned.body.code).toBe('missing_signature');
    await signingOnly.settle();
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookAuthError } from '../errors.js';
import { createSignatureVerifier } from './verify-signature.js';

// The example published with the Standard Webhooks specification (and Svix's docs).
const SPEC = {
  key: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const OTHER_KEY = `whsec_${Buffer.from('another-32-byte-signing-key-1234').toString('base64')}`;
const atSpecTime = () => SPEC.timestamp * 1000;

/** Signs with node:crypto, an implementation independent of the Web Crypto code under test. */
function sign(key: string, id: string, timestamp: number, body: string): string {
  const raw = Buffer.from(key.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', raw).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

function headers(overrides: Record<string, string | undefined> = {}): Headers {
  const all: Record<string, string | undefined> = {
    'webhook-id': SPEC.id,
    'webhook-timestamp': String(SPEC.timestamp),
    'webhook-signature': SPEC.signature,
    ...overrides,
  };
  return new Headers(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

const body = (text = SPEC.body) => new TextEncoder().encode(text);

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookAuthError);
  const { code, message } = error as WebhookAuthError;
  return { code, message };
}

describe('createSignatureVerifier', () => {
  it("accepts the specification's example and answers the signed webhook-id", async () => {
    const verify = createSignatureVerifier({ keys: [SPEC.key], now: atSpecTime });
    await expect(verify(headers(), body())).resolves.toEqual({ id: SPEC.id });
  });

  it('agrees with an independent HMAC implementation', async () => {
    const verify = createSignatureVerifier({ keys: [OTHER_KEY], now: atSpecTime });
    const text = JSON.stringify({ object_kind: 'merge_request', title: 'Ünïcode ✓' });
    const signature = sign(OTHER_KEY, 'abc', SPEC.timestamp, text);
    await expect(verify(headers({ 'webhook-id': 'abc', 'webhook-signature': signature }), body(text))).resolves.toEqual({ id: 'abc' });
  });

  it('accepts a delivery signed with any of several keys (rotation)', async () => {
    const verify = createSignatureVerifier({ keys: [OTHER_KEY, SPEC.key], now: atSpecTime });
    await expect(verify(headers(), body())).resolves.toEqual({ id: SPEC.id });
    const byOther = sign(OTHER_KEY, SPEC.id, SPEC.timestamp, SPEC.body);
    await expect(verify(headers({ 'webhook-signature': byOther }), body())).resolves.toEqual({ id: SPEC.id });
  });

  it('accepts a header with several signatures when one matches, skipping other versions', async () => {
    const verify = createSignatureVerifier({ keys: [SPEC.key], now: atSpecTime });
    const several = `v1a,ignored v1,${Buffer.alloc(32).toString('base64')} v1,not-base64! ${SPEC.signature}`;
    await expect(verify(headers({ 'webhook-signature': several }), body())).resolves.toEqual({ id: SPEC.id });
  });

  it('refuses a changed body, id or timestamp, and a signature made with another key', async () => {
    const verify = createSignatureVerifier({ keys: [SPEC.key], now: atSpecTime });
    const invalid = { code: 'invalid_signature', message: 'webhook-signature does not match the delivery signed with any configured signing token' };
    expect(await refusal(verify(headers(), body('{"test": 2432232315}')))).toEqual(invalid);
    expect(await refusal(verify(headers({ 'webhook-id': 'msg_other' }), body()))).toEqual(invalid);
    expect(await refusal(verify(headers({ 'webhook-timestamp': String(SPEC.timestamp + 1) }), body()))).toEqual(invalid);
    const byOther = sign(OTHER_KEY, SPEC.id, SPEC.timestamp, SPEC.body);
    expect(await refusal(verify(headers({ 'webhook-signature': byOther }), body()))).toEqual(invalid);
  });

  it('refuses a signature header without any usable v1 signature', async () => {
    const verify = createSignatureVerifier({ keys: [SPEC.key], now: atSpecTime });
    for (const value of ['v2,abc', 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', 'v1,', 'v1,AAAA']) {
      expect(await refusal(verify(headers({ 'webhook-signature': value }), body()))).toEqual({
        code: 'invalid_signature',
        message: 'webhook-signature holds no v1 signature: expected "v1,<base64 HMAC-SHA256>"',
      });
    }
  });

  it('names every missing header', async () => {
    const verify = createSignatureVerifier({ keys: [SPEC.key], now: atSpecTime });
    const one = await refusal(verify(headers({ 'webhook-signature': undefined }), body()));
    expect(one.code).toBe('missing_signature');
    expect(one.message).toMatch(/^missing webhook-signature header: GITLAB_WEBHOOK_SIGNING_KEY is set/);
    const all = await refusal(verify(new Headers(), body()));
    expect(all.message).toMatch(/^missing webhook-id, webhook-timestamp, webhook-signature headers: /);
  });

  it('accepts timestamps up to 5 minutes off either way and refuses older or newer ones', async () => {
    let now = atSpecTime();
    const verify = createSignatureVerifier({ keys: [SPEC.key], now: () => now });
    for (const offset of [-300, 300]) {
      now = (SPEC.timestamp + offset) * 1000;
      await expect(verify(headers(), body()), `${offset} s`).resolves.toEqual({ id: SPEC.id });
    }
    now = (SPEC.timestamp + 301) * 1000;
    expect(await refusal(verify(headers(), body()))).toEqual({
      code: 'stale_timestamp',
      message: "webhook-timestamp is 301 s in the past, expected within 300 s of rulebot's clock: a replayed delivery, or the clocks of GitLab and rulebot disagree",
    });
    now = (SPEC.timestamp - 3600) * 1000;
    expect((await refusal(verify(headers(), body()))).message).toMatch(/^webhook-timestamp is 3600 s in the future, /);
  });

  it('checks the timestamp before the signature, and refuses one that is not unix seconds', async () => {
    const verify = createSignatureVerifier({ keys: [SPEC.key], now: () => 0 });
    expect((await refusal(verify(headers({ 'webhook-signature': 'v1,wrong' }), body()))).code).toBe('stale_timestamp');
    for (const value of ['2021-02-25T14:22:10Z', '1614265330.5', '-1', '1e9']) {
      expect(await refusal(verify(headers({ 'webhook-timestamp': value }), body()))).toEqual({
        code: 'invalid_signature',
        message: 'webhook-timestamp is not a unix time in seconds',
      });
    }
  });

  it('never repeats the received signature or the key in its messages', async () => {
    const verify = createSignatureVerifier({ keys: [SPEC.key], now: atSpecTime });
    const forged = sign(OTHER_KEY, SPEC.id, SPEC.timestamp, SPEC.body);
    const { message } = await refusal(verify(headers({ 'webhook-signature': forged }), body()));
    expect(message).not.toContain(forged.slice(3));
    expect(message).not.toContain(SPEC.key.slice(6));
  });

  it('refuses to start with a key that is not whsec_ base64', () => {
    expect(() => createSignatureVerifier({ keys: [SPEC.key, 'not-a-key'] })).toThrow('signing key 2 is not "whsec_" followed by base64');
  });
});

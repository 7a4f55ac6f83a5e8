// End to end: hostile and odd requests get a clear 4xx JSON answer, and the server stays healthy after each.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../support/events.js';
import { SECRET, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

let n = 0;
const mergeRequest = (extra: Record<string, unknown> = {}) => JSON.stringify({ ...mergeRequestPayload({ iid: 500 + n }), ...extra });
/** `depth` arrays nested in one another. */
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe.each(RUNTIMES)('hostile webhook input ($name)', (runtime) => {
  let h: Harness;
  beforeAll(async () => {
    h = await runtime.start();
  });
  afterAll(async () => h.close());
  afterEach(async () => {
    const response = await h.fetch('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  async function send(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}, query = '') {
    n++;
    const response = await h.fetch(`/webhooks/gitlab${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'idempotency-key': `hostile-${process.pid}-${n}`, ...headers },
      body,
    });
    return { status: response.status, body: await response.json() };
  }

  it('refuses JSON nested deeper than 64 levels, however deep, without parsing it', async () => {
    expect(await send(`{"object_kind":"merge_request","x":${nested(65)}}`)).toEqual({
      status: 400,
      body: { code: 'nesting_too_deep', error: 'JSON nested too deeply: expected at most 64 levels of objects and arrays, got more at character 98' },
    });
    // 10 million levels (20 MB): JSON.parse alone would block the event loop for seconds; the scan stops at level 65.
    expect((await send(`{"x":${nested(10_000_000)}}`)).body.code).toBe('nesting_too_deep');
  });

  it('accepts an event nested exactly 64 levels deep', async () => {
    const body = mergeRequest().replace(/}$/, `,"deep":${nested(63)}}`);
    expect((await send(body)).status).toBe(202);
  });

  it('refuses duplicate keys at the top level and inside objects, naming the key', async () => {
    const topLevel = mergeRequest().replace(/}$/, ',"object_kind":"issue"}');
    expect(await send(topLevel)).toEqual({
      status: 400,
      body: { code: 'duplicate_key', error: 'duplicate key "object_kind" in the top-level object: each key may appear once' },
    });
    const inner = mergeRequest().replace('"object_attributes":{', '"object_attributes":{"iid":999,');
    expect(await send(inner)).toEqual({
      status: 400,
      body: { code: 'duplicate_key', error: 'duplicate key "iid" in the object at object_attributes: each key may appear once' },
    });
  });

  it('refuses a body over 25 MB with 413', async () => {
    const huge = `{"x":"${'a'.repeat(25 * 1024 * 1024)}"}`;
    const answer = await send(huge);
    expect(answer.status).toBe(413);
    expect(answer.body.code).toBe('payload_too_large');
  });

  it('refuses invalid UTF-8 with 400', async () => {
    const bytes = new TextEncoder().encode('{"object_kind":"merge_request","title":"xx"}');
    bytes[37] = 0xc3; // a lead byte followed by an ASCII character
    expect(await send(bytes)).toEqual({ status: 400, body: { code: 'invalid_json', error: 'body is not valid UTF-8 text' } });
  });

  it('refuses a body that is not JSON by content type with 415', async () => {
    expect((await send('<xml/>', { 'content-type': 'text/xml' })).status).toBe(415);
  });

  it('refuses overlong headers with 431 before reading the body', async () => {
    const longToken = 't'.repeat(2000);
    // The body is not JSON: the header check answers first.
    expect(await send('not json', { 'x-gitlab-token': longToken })).toEqual({
      status: 431,
      body: { code: 'header_too_large', error: 'X-Gitlab-Token header too long: expected at most 1024 characters, got 2000' },
    });
    expect(await send('not json', { 'idempotency-key': 'k'.repeat(300) })).toEqual({
      status: 431,
      body: { code: 'header_too_large', error: 'Idempotency-Key header too long: expected at most 256 characters, got 300' },
    });
    expect(h.logs.join('\n')).not.toContain(longToken);
  });

  it('refuses a secret in the query string with 400, never repeating it', async () => {
    for (const name of ['token', 'private_token', 'PRIVATE_TOKEN']) {
      const value = `query-secret-${name}`;
      const answer = await send(mergeRequest(), {}, `?${name}=${value}`);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('token_in_query');
      expect(answer.body.error).toContain(`query parameter "${name.toLowerCase()}", which ends up in access logs`);
      expect(JSON.stringify(answer.body)).not.toContain(value);
      expect(h.logs.join('\n')).not.toContain(value);
    }
    // Other query parameters are no concern.
    expect((await send(mergeRequest(), {}, '?source=gitlab')).status).toBe(202);
  });

  it('refuses a secret in the array and bracket forms frameworks read, encoded or not, never repeating it', async () => {
    const value = 'query-secret-in-brackets';
    const forms = ['token[]', 'token%5B%5D', 'Token%5b%5d', 'token[0]', 'private_token[x]', 'hook[secret_token]', 'token%255B%255D'];
    for (const name of forms) {
      const answer = await send(mergeRequest(), {}, `?source=gitlab&${name}=${value}&${name}=${value}`);
      expect(answer.status, name).toBe(400);
      expect(answer.body.code, name).toBe('token_in_query');
      expect(answer.body.error, name).toMatch(/query parameter "(token|private_token|secret_token)", which ends up in access logs/);
      expect(JSON.stringify(answer.body), name).not.toContain(value);
    }
    expect(h.logs.join('\n')).not.toContain(value);
  });

  it('accepts an X-Gitlab-Event header naming another kind than object_kind (System Hooks do)', async () => {
    for (const header of ['Issue Hook', 'System Hook']) {
      expect((await send(mergeRequest(), { 'x-gitlab-event': header })).status, header).toBe(202);
    }
    await h.settle();
  });

  it('keeps every received secret out of the logs', () => {
    expect(h.logs.join('\n')).not.toContain(SECRET);
  });
});

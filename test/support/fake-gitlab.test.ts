// The fake GitLab over real HTTP: server basics, authentication, users and projects, recording, faults.

import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test as plainTest } from 'vitest';
import { FakeGitLab } from './fake-gitlab.js';
import { ALICE, call, PROJECT, test } from './fake-gitlab/test-fixture.js';

describe('server', () => {
  test('listens on loopback and serves the API under /api/v4', async ({ gitlab }) => {
    expect(gitlab.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await call(gitlab, 'GET', '/user');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  test('answers 404 {"error":"404 Not Found"} outside /api/v4 and for unknown endpoints', async ({ gitlab }) => {
    const outside = await fetch(`${gitlab.url}/api/v3/user`, { headers: { 'PRIVATE-TOKEN': 'test-token' } });
    const unknown = await call(gitlab, 'GET', '/projects/1/pipelines');
    const wrongMethod = await call(gitlab, 'DELETE', '/projects/1/merge_requests/2');
    for (const response of [outside, unknown, wrongMethod]) {
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: '404 Not Found' });
    }
  });

  test('sends rate-limit headers that count down on every answer', async ({ gitlab }) => {
    const first = await call(gitlab, 'GET', '/user');
    const second = await call(gitlab, 'GET', '/nowhere');
    const now = Math.floor(Date.now() / 1000);
    expect(first.headers.get('ratelimit-limit')).toBe('2000');
    expect(first.headers.get('ratelimit-remaining')).toBe('1999');
    expect(second.headers.get('ratelimit-remaining')).toBe('1998');
    expect(Number(second.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(now + 59);
    expect(Number(second.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(now + 61);
  });

  plainTest('never lets RateLimit-Remaining go below 0', async () => {
    const gitlab = new FakeGitLab({ rateLimit: 2 });
    await gitlab.start();
    try {
      const remaining: (string | null)[] = [];
      for (let index = 0; index < 3; index++) {
        remaining.push((await call(gitlab, 'GET', '/user')).headers.get('ratelimit-remaining'));
      }
      expect(remaining).toEqual(['1', '0', '0']);
    } finally {
      await gitlab.stop();
    }
  });

  plainTest('refuses to tell its url before start()', () => {
    expect(() => new FakeGitLab().url).toThrow(/after start/);
  });

  plainTest('stops promptly although the client keeps its connection alive', async () => {
    const gitlab = new FakeGitLab();
    await gitlab.start();
    const response = await call(gitlab, 'GET', '/user', { headers: { connection: 'keep-alive' } });
    expect(response.status).toBe(200);
    // Without closing idle connections, Node's close() would wait out the 5 s keep-alive timeout.
    const deadline = sleep(2_000, 'still waiting', { ref: false });
    expect(await Promise.race([gitlab.stop().then(() => 'stopped'), deadline])).toBe('stopped');
    await expect(call(gitlab, 'GET', '/user')).rejects.toThrow(TypeError);
  });
});

describe('authentication', () => {
  const accepted = [
    ['PRIVATE-TOKEN', 'test-token'],
    ['Authorization', 'Bearer test-token'],
    ['JOB-TOKEN', 'test-token'],
  ] as const;
  for (const [header, value] of accepted) {
    test(`accepts the token in ${header}`, async ({ gitlab }) => {
      const response = await call(gitlab, 'GET', '/user', { auth: false, headers: { [header]: value } });
      expect(response.status).toBe(200);
    });
  }

  const refused = [
    ['no token', {}],
    ['a wrong token', { 'PRIVATE-TOKEN': 'nope' }],
    ['a token in a Basic header', { Authorization: 'Basic test-token' }],
  ] as const;
  for (const [what, headers] of refused) {
    test(`answers 401 to ${what}, and records the request`, async ({ gitlab }) => {
      const response = await call(gitlab, 'GET', '/projects/1', { auth: false, headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('ratelimit-remaining')).toBe('1999');
      expect(await response.json()).toEqual({ message: '401 Unauthorized' });
      expect(gitlab.calls('GET', /^\/projects\/1$/)).toHaveLength(1);
    });
  }

  plainTest('takes the token given to the constructor', async () => {
    const gitlab = new FakeGitLab({ token: 'glpat-other' });
    await gitlab.start();
    try {
      expect((await call(gitlab, 'GET', '/user')).status).toBe(401);
      const response = await call(gitlab, 'GET', '/user', { auth: false, headers: { 'PRIVATE-TOKEN': 'glpat-other' } });
      expect(response.status).toBe(200);
    } finally {
      await gitlab.stop();
    }
  });
});

describe('users and projects', () => {
  test('GET /user describes the bot user', async ({ gitlab }) => {
    const response = await call(gitlab, 'GET', '/user');
    expect(await response.json()).toMatchObject({
      id: 99,
      username: 'rulebot',
      name: 'rulebot',
      state: 'active',
      bot: true,
    });
  });

  plainTest('GET /user describes the configured bot user', async () => {
    const gitlab = new FakeGitLab({ botUser: { id: 7, username: 'project_1_bot_abc' } });
    await gitlab.start();
    try {
      const user = await (await call(gitlab, 'GET', '/user')).json();
      expect(user).toMatchObject({ id: 7, username: 'project_1_bot_abc', bot: true });
    } finally {
      await gitlab.stop();
    }
  });

  test('GET /users?username= finds a user regardless of case, or none', async ({ gitlab }) => {
    const found = await call(gitlab, 'GET', '/users?username=ALICE');
    expect(await found.json()).toEqual([expect.objectContaining({ id: ALICE.id, username: 'alice', name: 'Alice' })]);
    const missing = await call(gitlab, 'GET', '/users?username=mallory');
    expect(missing.status).toBe(200);
    expect(await missing.json()).toEqual([]);
  });

  test('GET /projects/:id takes the numeric id or the encoded full path', async ({ gitlab }) => {
    const expected = {
      id: 1,
      path_with_namespace: PROJECT.path_with_namespace,
      web_url: `${gitlab.url}/group/sub/project`,
      merge_pipelines_enabled: false,
      merge_trains_enabled: false,
      default_branch: 'main',
    };
    expect(await (await call(gitlab, 'GET', '/projects/1')).json()).toEqual(expected);
    expect(await (await call(gitlab, 'GET', '/projects/group%2Fsub%2Fproject')).json()).toEqual(expected);
    expect(gitlab.requests.map((request) => request.path)).toEqual(['/projects/1', '/projects/group%2Fsub%2Fproject']);
  });

  test('answers 404 Project Not Found for an unknown project', async ({ gitlab }) => {
    for (const id of ['404', 'group%2Fother']) {
      const response = await call(gitlab, 'GET', `/projects/${id}/merge_requests/2`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: '404 Project Not Found' });
    }
  });
});

describe('recording', () => {
  test('records method, decoded path, query, lower-case headers and JSON body', async ({ gitlab }) => {
    await call(gitlab, 'PUT', '/projects/group%2Fsub%2Fproject/merge_requests/2?add_labels=a', {
      json: { remove_labels: 'bug' },
      headers: { 'X-Gitlab-Event-UUID': 'uuid-1' },
    });
    expect(gitlab.requests).toEqual([
      {
        method: 'PUT',
        path: '/projects/group%2Fsub%2Fproject/merge_requests/2',
        query: { add_labels: 'a' },
        headers: expect.objectContaining({ 'x-gitlab-event-uuid': 'uuid-1', 'private-token': 'test-token' }),
        body: { remove_labels: 'bug' },
      },
    ]);
  });

  test('records form bodies as fields, and no body for a GET', async ({ gitlab }) => {
    await call(gitlab, 'PUT', '/projects/1/merge_requests/2', { form: { title: 'T', assignee_ids: ['10', '11'] } });
    await call(gitlab, 'GET', '/projects/1/merge_requests/2');
    const bodies = gitlab.requests.map((request) => request.body);
    expect(bodies).toEqual([{ title: 'T', assignee_ids: ['10', '11'] }, undefined]);
  });

  test('answers 400 to malformed JSON and records the raw text', async ({ gitlab }) => {
    const response = await fetch(`${gitlab.url}/api/v4/projects/1/merge_requests/2`, {
      method: 'PUT',
      headers: { 'PRIVATE-TOKEN': 'test-token', 'content-type': 'application/json' },
      body: '{"title":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'message body does not match declared format' });
    expect(gitlab.requests.at(-1)?.body).toBe('{"title":');
    expect(gitlab.mergeRequest(1, 2)?.title).toBe('Add feature');
  });

  test('calls() filters by method and path; clearRequests() forgets', async ({ gitlab }) => {
    await call(gitlab, 'GET', '/projects/1/merge_requests/2');
    await call(gitlab, 'GET', '/projects/1/merge_requests/2/notes');
    await call(gitlab, 'POST', '/projects/1/merge_requests/2/notes', { json: { body: 'hi' } });
    expect(gitlab.calls()).toHaveLength(3);
    expect(gitlab.calls('get')).toHaveLength(2);
    expect(gitlab.calls(undefined, /\/notes$/)).toHaveLength(2);
    expect(gitlab.calls('POST', /\/notes$/).map((request) => request.body)).toEqual([{ body: 'hi' }]);
    gitlab.clearRequests();
    expect(gitlab.requests).toEqual([]);
  });
});

describe('fault injection', () => {
  test('answers the next matching request with the fault, then behaves again', async ({ gitlab }) => {
    gitlab.inject({ path: '/projects/1/merge_requests/2', status: 500 });
    const faulted = await call(gitlab, 'GET', '/projects/1/merge_requests/2');
    expect(faulted.status).toBe(500);
    expect(faulted.headers.get('content-type')).toBe('application/json');
    expect(faulted.headers.get('ratelimit-limit')).toBe('2000');
    expect(await faulted.json()).toEqual({ message: '500 Internal Server Error' });
    expect((await call(gitlab, 'GET', '/projects/1/merge_requests/2')).status).toBe(200);
    expect(gitlab.requests).toHaveLength(2);
  });

  test('sends a 429 without Retry-After unless the fault gives one', async ({ gitlab }) => {
    gitlab.inject({ path: '/user', status: 429 });
    gitlab.inject({ path: '/user', status: 429, headers: { 'Retry-After': '30' } });
    const bare = await call(gitlab, 'GET', '/user');
    expect(bare.status).toBe(429);
    expect(bare.headers.has('retry-after')).toBe(false);
    expect(await bare.json()).toEqual({ message: '429 Too Many Requests' });
    const polite = await call(gitlab, 'GET', '/user');
    expect(polite.headers.get('retry-after')).toBe('30');
  });

  test('matches method and RegExp paths, counts `times`, in the order injected', async ({ gitlab }) => {
    gitlab.inject({ method: 'put', path: /merge_requests\/2$/, status: 503, times: 2 });
    gitlab.inject({ path: /merge_requests/, status: 502 });
    expect((await call(gitlab, 'GET', '/projects/1/merge_requests/2')).status).toBe(502);
    const statuses: number[] = [];
    for (let index = 0; index < 3; index++) {
      statuses.push((await call(gitlab, 'PUT', '/projects/1/merge_requests/2', { json: { title: 'x' } })).status);
    }
    expect(statuses).toEqual([503, 503, 200]);
  });

  test('matches a string path exactly', async ({ gitlab }) => {
    gitlab.inject({ path: '/projects/1/merge_requests/2', status: 500, times: Infinity });
    expect((await call(gitlab, 'GET', '/projects/1/merge_requests/2/diffs')).status).toBe(200);
    expect((await call(gitlab, 'GET', '/projects/1/merge_requests/2')).status).toBe(500);
    expect((await call(gitlab, 'GET', '/projects/1/merge_requests/2')).status).toBe(500);
  });

  test('sends the given JSON body, or a proxy HTML page verbatim', async ({ gitlab }) => {
    gitlab.inject({ path: '/user', status: 422, body: { message: { title: ['is too long'] } } });
    gitlab.inject({ path: '/user', status: 502, headers: { 'Content-Type': 'text/html' }, body: '<h1>502</h1>' });
    expect(await (await call(gitlab, 'GET', '/user')).json()).toEqual({ message: { title: ['is too long'] } });
    const proxy = await call(gitlab, 'GET', '/user');
    expect(proxy.headers.get('content-type')).toBe('text/html');
    expect(await proxy.text()).toBe('<h1>502</h1>');
  });

  test('a faulted request changes nothing, and faults apply before authentication', async ({ gitlab }) => {
    gitlab.inject({ method: 'PUT', path: /./, status: 500 });
    await call(gitlab, 'PUT', '/projects/1/merge_requests/2', { json: { add_labels: 'lost' } });
    expect(gitlab.mergeRequest(1, 2)?.labels).toEqual(['bug']);
    gitlab.inject({ path: '/user', status: 503 });
    expect((await call(gitlab, 'GET', '/user', { auth: false })).status).toBe(503);
  });

  test('delays the answer so that a client can time out', async ({ gitlab }) => {
    gitlab.inject({ path: '/user', delayMs: 10_000, status: 200 });
    await expect(call(gitlab, 'GET', '/user', { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(gitlab.calls('GET', /^\/user$/)).toHaveLength(1);
  });

  test('with only delayMs, answers normally after the delay', async ({ gitlab }) => {
    gitlab.inject({ path: '/projects/1', delayMs: 20 });
    const response = await call(gitlab, 'GET', '/projects/1');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 1 });
  });

  test('resets the connection without answering', async ({ gitlab }) => {
    gitlab.inject({ method: 'POST', path: /\/notes$/, reset: true });
    const attempt = call(gitlab, 'POST', '/projects/1/merge_requests/2/notes', { json: { body: 'hello' } });
    await expect(attempt).rejects.toThrow(TypeError);
    expect(gitlab.notes(1, 'MergeRequest', 2)).toEqual([]);
    expect(gitlab.calls('POST')).toHaveLength(1);
  });
});

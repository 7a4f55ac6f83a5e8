// End to end over HTTP, on both runtimes: the page's sign-in, its cookie, escaping, and POSTs another site cannot forge.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../support/events.js';
import { diff, SECRET, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const UI_TOKEN = 'ui-token-for-the-page-tests';
const RULES = `rules:
  - name: documentation
    on: merge_request.open
    if: { files: { all: ["docs/**"] } }
    then: { add_labels: [documentation] }
`;

let h: Harness;

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual' as const,
});

/** Signs in with `token`; the session cookie (name=value) when it worked. */
async function signIn(token: string, headers: Record<string, string> = {}): Promise<{ status: number; cookie: string | undefined; setCookie: string | null; text: string }> {
  const init = form({ token, next: '/ui/dead-letters' });
  const response = await h.fetch('/ui/sign-in', { ...init, headers: { ...init.headers, ...headers } });
  const setCookie = response.headers.get('set-cookie');
  return { status: response.status, cookie: setCookie?.split(';')[0], setCookie, text: await response.text() };
}

/** The CSRF token in the page's forms. */
async function csrfOf(cookie: string, path = '/ui/dead-letters'): Promise<string> {
  const text = await (await h.fetch(path, { headers: { cookie } })).text();
  return /name="csrf" value="([^"]+)"/.exec(text)![1]!;
}

describe.each(RUNTIMES)('the page at /ui ($name)', (runtime) => {
  beforeEach(async () => {
    h = await runtime.start({ rules: { 'labels.yml': RULES }, env: { UI_TOKEN } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addUser({ id: 1, username: 'root' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [], diffs: [diff('docs/a.md')] });
  });
  afterEach(async () => h.close());

  it('signs in with UI_TOKEN or the webhook secret, into an HttpOnly SameSite=Strict cookie, Secure behind https', async () => {
    const page = await h.fetch('/ui/sign-in');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('type="password" name="token"');

    const wrong = await signIn('guess');
    expect(wrong.status).toBe(401);
    expect(wrong.setCookie).toBeNull();
    expect(wrong.text).toContain('That is not the webhook secret or UI token');

    const signed = await signIn(UI_TOKEN);
    expect(signed.status).toBe(303);
    expect(signed.setCookie).toMatch(/^rulebot_session=v1\.\d+\.[\w-]+\.[\w-]+; Max-Age=43200; Path=\/ui; HttpOnly; SameSite=Strict$/);
    expect((await h.fetch('/ui/dead-letters', { headers: { cookie: signed.cookie! } })).status).toBe(200);
    expect((await signIn(SECRET)).status).toBe(303);
    expect((await signIn(UI_TOKEN, { 'x-forwarded-proto': 'https' })).setCookie).toContain('; Secure');

    // A cookie altered by hand is no session.
    const tampered = signed.cookie!.replace(/\.\d+\./, '.9999999999.');
    expect((await h.fetch('/ui', { headers: { cookie: tampered }, redirect: 'manual' })).status).toBe(303);
    // Nor is a sign-in posted from another site.
    expect((await signIn(UI_TOKEN, { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('lets scripts in with a bearer token, and UI_TOKEN opens the API too', async () => {
    expect((await h.fetch('/ui/health', { headers: { authorization: `Bearer ${UI_TOKEN}` } })).status).toBe(200);
    expect((await h.fetch('/api/events', { headers: { authorization: `Bearer ${UI_TOKEN}` } })).status).toBe(200);
    expect((await h.fetch('/status', { headers: { authorization: `Bearer ${UI_TOKEN}` } })).status).toBe(200);
  });

  it('escapes what users wrote', async () => {
    const payload = mergeRequestPayload({ action: 'open', labels: [], title: '<script>alert(1)</script> & "quotes"' });
    await h.post(payload, { 'idempotency-key': '<img src=x onerror=alert(2)>' });
    await h.settle();
    const { cookie } = await signIn(UI_TOKEN);
    const list = await (await h.fetch('/ui', { headers: { cookie: cookie! } })).text();
    expect(list).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(list).not.toContain('<script>');
    expect(list).not.toContain('<img src=x');
    expect(list).toContain(`href="/ui/events/${encodeURIComponent('<img src=x onerror=alert(2)>')}"`);
    const detail = await (await h.fetch(`/ui/events/${encodeURIComponent('<img src=x onerror=alert(2)>')}`, { headers: { cookie: cookie! } })).text();
    expect(detail).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(detail).not.toContain('<script>');
  });

  it('puts a dead letter back only on a POST of this site carrying the session\'s token', async () => {
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 403, body: { message: '403 Forbidden' } });
    await h.post(mergeRequestPayload({ action: 'open', labels: [] }), { 'idempotency-key': 'refused-9' });
    await h.settle();
    const { cookie } = await signIn(UI_TOKEN);
    const csrf = await csrfOf(cookie!);
    const retry = (fields: Record<string, string>, headers: Record<string, string> = {}) => {
      const init = form(fields);
      return h.fetch('/ui/dead-letters/refused-9/retry', { ...init, headers: { ...init.headers, cookie: cookie!, ...headers } });
    };
    expect((await retry({})).status).toBe(403);
    expect((await retry({ csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await retry({ csrf }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await retry({ csrf }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    // Another session's token does not fit this session.
    const other = await csrfOf((await signIn(UI_TOKEN)).cookie!);
    expect(other).not.toBe(csrf);
    expect((await retry({ csrf: other })).status).toBe(403);
    expect((await h.status()).queue.dead_letters).toBe(1);

    const done = await retry({ csrf }, { origin: originOfRequests(h), 'sec-fetch-site': 'same-origin' });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/ui/dead-letters?put_back=refused-9&done=1');
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['documentation']);
    const page = await (await h.fetch('/ui/dead-letters?put_back=refused-9&done=1', { headers: { cookie: cookie! } })).text();
    expect(page).toContain('Event refused-9 was put back in the queue.');
    expect(page).toContain('No dead letters.');
  });

  it('serves /metrics without a token only with METRICS_PUBLIC=1, and nothing else with it', async () => {
    expect((await h.fetch('/metrics')).status).toBe(401);
    await h.close();
    h = await runtime.start({ rules: { 'labels.yml': RULES }, env: { UI_TOKEN, METRICS_PUBLIC: '1' } });
    const metrics = await h.fetch('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toContain('# TYPE rulebot_queue_depth gauge');
    expect((await h.fetch('/api/events')).status).toBe(401);
    expect((await h.fetch('/ui', { redirect: 'manual' })).status).toBe(303);
  });

  it('tells, without showing anything, that nobody can sign in when no credential is set', async () => {
    await h.close();
    h = await runtime.start({ rules: { 'labels.yml': RULES }, env: { GITLAB_TOKEN: undefined, GITLAB_WEBHOOK_SECRET: undefined } });
    const page = await h.fetch('/ui', { redirect: 'manual' });
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('No credential is configured');
  });
});

/** The origin a browser would send for a page of rulebot, as the harness addresses it. */
function originOfRequests(harness: Harness): string {
  return harness.runtime === 'worker' ? 'http://rulebot.test' : harness.url;
}

// GET and POST /ui/…: the page of recent events, decisions, dead letters, schedules, rules and health, behind a sign-in.
import type { Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { WebhookAuthError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { DeadLetter, Store } from '../../store/index.js';
import { readEventQuery } from '../event-query.js';
import { readBody } from '../read-body.js';
import { tokenMatches } from '../verify-token.js';
import { eventBody, eventsBody } from './events-page.js';
import { page, PAGE_HEADERS, type Fragment } from './layout.js';
import { deadLettersBody, healthBody, rulesBody, schedulesBody, signInBody, type RuleSummary } from './other-pages.js';
import { SESSION_COOKIE, SESSION_SECONDS, SessionSigner, type Session } from './session.js';

export interface UiDeps {
  store: Store;
  /** Every value that signs in (webhook secrets, signing tokens, UI_TOKEN); none: nobody can. */
  credentials: readonly string[];
  runtime: 'node' | 'worker';
  rules: readonly RuleSummary[];
  /** Requests that may go to GitLab at once now. */
  budget(): { requests: number; notes: number };
  ready?(): Promise<{ ready: boolean; checks: object }>;
  deadLetters?: { list(): Promise<DeadLetter[]>; retry(id: string): Promise<boolean> };
  log: Logger;
  now?: () => number;
}

/** Who is looking: a signed-in browser (with its CSRF token) or a script with a bearer token. */
type Viewer = { session: Session; csrf: string } | { bearer: true; csrf: '' };

const encoder = new TextEncoder();

/**
 * Mounts the page. Nothing is shown without signing in: a browser signs in with a form that sets an
 * HttpOnly, SameSite=Strict cookie (Secure over https) signed with a key derived from the credentials;
 * a script sends `Authorization: Bearer`. Every change is a POST carrying the session's CSRF token
 * from a page of this site (its Origin and Sec-Fetch-Site are checked too), so another site cannot
 * forge one. Titles and everything else from users are escaped by `hono/html`.
 */
export function mountUi(app: Hono, deps: UiDeps): void {
  const now = deps.now ?? Date.now;
  const signer = deps.credentials.length > 0 ? new SessionSigner(deps.credentials, now) : undefined;
  const expected = deps.credentials.map((credential) => encoder.encode(credential));
  const matches = (token: string) => {
    const given = encoder.encode(token);
    let matched = false;
    for (const credential of expected) matched = tokenMatches(given, credential) || matched;
    return matched;
  };
  const ruleNames = [...new Set(deps.rules.map((rule) => rule.name))];

  app.use('/ui', headers);
  app.use('/ui/*', headers);

  app.get('/ui/sign-in', async (c) => {
    if (!signer) return c.html(page({ title: 'Sign in', body: signInBody({ next: '/ui', unconfigured: true }) }), 403);
    if (await viewerOf(c)) return c.redirect(nextPath(c.req.query('next')), 303);
    return c.html(page({ title: 'Sign in', body: signInBody({ next: nextPath(c.req.query('next')) }) }));
  });

  app.post('/ui/sign-in', async (c) => {
    if (!signer) return c.html(page({ title: 'Sign in', body: signInBody({ next: '/ui', unconfigured: true }) }), 403);
    if (!sameSite(c)) return c.html(page({ title: 'Sign in', body: signInBody({ next: '/ui', error: 'This sign-in did not come from this site.' }) }), 403);
    const form = await readForm(c);
    const next = nextPath(form.get('next') ?? undefined);
    const token = form.get('token') ?? '';
    if (token === '' || !matches(token)) {
      deps.log.warn('sign-in to the page refused: wrong token');
      return c.html(page({ title: 'Sign in', body: signInBody({ next, error: 'That is not the webhook secret or UI token rulebot is configured with.' }) }), 401);
    }
    const { cookie } = await signer.issue();
    setCookie(c, SESSION_COOKIE, cookie, { path: '/ui', httpOnly: true, sameSite: 'Strict', secure: isHttps(c), maxAge: SESSION_SECONDS });
    return c.redirect(next, 303);
  });

  app.post('/ui/sign-out', async (c) => {
    const viewer = await viewerOf(c);
    if (viewer && (await formAllowed(c, viewer, await readForm(c)))) {
      setCookie(c, SESSION_COOKIE, '', { path: '/ui', httpOnly: true, sameSite: 'Strict', secure: isHttps(c), maxAge: 0 });
    }
    return c.redirect('/ui/sign-in', 303);
  });

  app.get('/ui', async (c) => {
    const viewer = await signedIn(c);
    if (viewer instanceof Response) return viewer;
    const params = Object.fromEntries(Object.entries(c.req.query()).filter(([key]) => ['project', 'iid', 'rule', 'outcome', 'before'].includes(key)));
    const query = readEventQuery(params, 30);
    const error = 'error' in query ? query.error : undefined;
    const result = 'error' in query ? { records: [], next_before: null } : await deps.store.decisions(query);
    const body = eventsBody({ page: result, query: 'error' in query ? undefined : query, ruleNames, params, ...(error && { error: `These filters cannot be used: ${error}` }) });
    return c.html(page({ title: 'Events', current: '/ui', csrf: viewer.csrf, body }), error ? 400 : 200);
  });

  app.get('/ui/events/:id', async (c) => {
    const viewer = await signedIn(c);
    if (viewer instanceof Response) return viewer;
    const record = await deps.store.decision(c.req.param('id'));
    if (!record) {
      const body = html404('No decision record with this id: it was never received, or it is older than DECISIONS_RETENTION_DAYS.');
      return c.html(page({ title: 'Event not found', current: '/ui', csrf: viewer.csrf, body }), 404);
    }
    return c.html(page({ title: record.event, current: '/ui', csrf: viewer.csrf, body: eventBody(record) }));
  });

  app.get('/ui/dead-letters', async (c) => {
    const viewer = await signedIn(c);
    if (viewer instanceof Response) return viewer;
    const letters = deps.deadLetters ? await deps.deadLetters.list() : [];
    const id = c.req.query('put_back');
    const notice = id === undefined ? undefined : c.req.query('done') === '1' ? `Event ${id} was put back in the queue.` : `Event ${id} could not be put back: it is no longer a dead letter, or an event with that id is queued now.`;
    return c.html(page({ title: 'Dead letters', current: '/ui/dead-letters', csrf: viewer.csrf, body: deadLettersBody({ letters: letters.reverse(), csrf: viewer.csrf, now: now(), ...(notice && { notice }) }) }));
  });

  app.post('/ui/dead-letters/:id/retry', async (c) => {
    const viewer = await signedIn(c);
    if (viewer instanceof Response) return viewer;
    if (!(await formAllowed(c, viewer, await readForm(c)))) {
      return c.html(page({ title: 'Refused', csrf: viewer.csrf, body: html404('This request did not come from a page of this site; go back to the dead letters and try again.') }), 403);
    }
    const id = c.req.param('id');
    const done = deps.deadLetters ? await deps.deadLetters.retry(id) : false;
    deps.log.info('dead letter put back from the page', { event_id: id, done });
    return c.redirect(`/ui/dead-letters?${new URLSearchParams({ put_back: id, done: done ? '1' : '0' })}`, 303);
  });

  app.get('/ui/schedules', async (c) => {
    const viewer = await signedIn(c);
    if (viewer instanceof Response) return viewer;
    const scheduled = deps.rules.filter((rule) => rule.schedule);
    const lastRuns = new Map(await Promise.all(scheduled.map(async (rule) => [rule.name, await deps.store.lastScheduleRun(rule.name)] as const)));
    const runs = (await deps.store.decisions({ event: 'schedule', limit: 30 })).records;
    return c.html(page({ title: 'Schedules', current: '/ui/schedules', csrf: viewer.csrf, body: schedulesBody({ rules: [...deps.rules], lastRuns, runs, now: now() }) }));
  });

  app.get('/ui/rules', async (c) => {
    const viewer = await signedIn(c);
    if (viewer instanceof Response) return viewer;
    return c.html(page({ title: 'Rules', current: '/ui/rules', csrf: viewer.csrf, body: rulesBody([...deps.rules]) }));
  });

  app.get('/ui/health', async (c) => {
    const viewer = await signedIn(c);
    if (viewer instanceof Response) return viewer;
    const [stats, ready] = await Promise.all([deps.store.queueStats(), deps.ready?.()]);
    const body = healthBody({ runtime: deps.runtime, stats, budget: deps.budget(), ready, now: now() });
    return c.html(page({ title: 'Health', current: '/ui/health', csrf: viewer.csrf, body }));
  });

  /** The viewer, if signed in (a valid session cookie) or carrying a valid bearer token. */
  async function viewerOf(c: Context): Promise<Viewer | undefined> {
    if (!signer) return undefined;
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const token = /^Bearer\s+(.+?)\s*$/i.exec(authorization)?.[1];
      if (token && matches(token)) return { bearer: true, csrf: '' };
      throw new WebhookAuthError('invalid_token', 'the bearer token does not match GITLAB_WEBHOOK_SECRET, UI_TOKEN or GITLAB_WEBHOOK_SIGNING_KEY');
    }
    const session = await signer.read(getCookie(c, SESSION_COOKIE));
    return session && { session, csrf: await signer.csrfToken(session) };
  }

  /** The viewer, or the answer that sends a browser to sign in. */
  async function signedIn(c: Context): Promise<Viewer | Response> {
    if (!signer) return c.html(page({ title: 'Sign in', body: signInBody({ next: '/ui', unconfigured: true }) }), 403);
    const viewer = await viewerOf(c);
    if (viewer) return viewer;
    const url = new URL(c.req.url);
    return c.redirect(`/ui/sign-in?${new URLSearchParams({ next: url.pathname + url.search })}`, 303);
  }

  /** A form posted by this site's page in this session (bearer-token scripts need no CSRF token: browsers never add that header). */
  async function formAllowed(c: Context, viewer: Viewer, form: URLSearchParams): Promise<boolean> {
    if ('bearer' in viewer) return true;
    return sameSite(c) && (await signer!.checkCsrf(viewer.session, form.get('csrf') ?? undefined));
  }
}

async function headers(c: Context, next: () => Promise<void>): Promise<void> {
  await next();
  for (const [name, value] of Object.entries(PAGE_HEADERS)) c.res.headers.set(name, value);
}

/** A form body, read with a small limit: the page's forms hold a token and a few fields. */
async function readForm(c: Context): Promise<URLSearchParams> {
  const bytes = await readBody(c.req.raw, 16 * 1024);
  return new URLSearchParams(new TextDecoder().decode(bytes));
}

/**
 * Whether a POST comes from this site: browsers send `Sec-Fetch-Site` and `Origin` with form posts.
 * Either, when present, must name this site (the host the request was sent to).
 */
function sameSite(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = c.req.header('origin');
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === new URL(c.req.url).host;
  } catch {
    return false;
  }
}

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

/** Where to go after signing in: a page of `/ui` only, never another site. */
function nextPath(next: string | undefined): string {
  return next && /^\/ui(?:[/?]|$)/.test(next) && !next.startsWith('//') ? next : '/ui';
}

function html404(text: string): Fragment {
  return html`<p class="message" role="alert">${text}</p><p><a href="/ui">Recent events</a></p>`;
}

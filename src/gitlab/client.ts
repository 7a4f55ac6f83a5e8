// The GitLab REST v4 client: authentication by token type, typed errors, retries with back-off, pagination.
import type { z } from 'zod';
import { createRedactor } from '../bounded-text.js';
import type { TokenType } from '../config/config.js';
import { GitLabApiError } from '../errors.js';
import { describeErrorBody } from './error-body.js';
import { parsePagination } from './pagination.js';
import type { RateBudget } from './rate-budget.js';
import { backoffDelay, requestedDelay, type BackoffOptions } from './retry-delay.js';
import { authHeader, staticToken, type Credentials, type TokenSource } from './token-source.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Query = Record<string, string | number | boolean | undefined>;

export interface GitLabClientOptions {
  /** Instance URL, e.g. `https://gitlab.com`; `/api/v4` is appended. */
  baseUrl: string;
  /** Without a token, requests are sent unauthenticated (public projects only). */
  token?: string | undefined;
  /** `private` → `PRIVATE-TOKEN` (default), `oauth` → `Authorization: Bearer`, `job` → `JOB-TOKEN`. */
  tokenType?: TokenType;
  /**
   * Values replaced by `[redacted]` in the error text GitLab sends back (which may repeat what it was
   * sent), besides `token`, which always is: rulebot passes every configured secret.
   */
  secrets?: readonly string[];
  /**
   * Credentials that may change (rotation, OAuth refresh), asked for before every attempt; takes the
   * place of `token`. A request answered 401 is sent once more when the source has newer credentials.
   */
  credentials?: TokenSource | undefined;
  /** Injected `fetch` (undici's pooled one on Node, the platform's on Workers). */
  fetch?: typeof fetch;
  /** Retries after the first attempt for retryable failures (default 4). */
  retries?: number;
  backoff?: Partial<BackoffOptions>;
  /** Per-attempt timeout in ms (default 30 000). */
  timeoutMs?: number;
  /**
   * A POST whose answer never came (timeout, reset) may still have been carried out. It is not
   * re-sent here; the error tells the caller to wait this long (default 5 000 ms) before checking
   * whether it took effect. (Comments are then looked for again until GitLab's own request limit
   * has passed, see actions/effects.ts, so a slow one is never posted twice.)
   */
  ambiguousRetryDelayMs?: number;
  /** Longest wait GitLab may ask for that is still honoured before giving up (default 60 000 ms). */
  maxRequestedDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /**
   * Shared budgets every request waits for: `all` for every call, `notes` also for creating notes
   * (GitLab.com allows far fewer of those). GitLab's own rate-limit answers pause them.
   */
  budget?: { all?: RateBudget; notes?: RateBudget } | undefined;
  /** Called once per HTTP attempt, for metrics and logs. */
  onAttempt?: (attempt: Attempt) => void;
}

/** One HTTP attempt of a request, as `onAttempt` reports it. */
export interface Attempt {
  method: HttpMethod;
  /** Below `/api/v4`, without the query. */
  path: string;
  /** GitLab's status, or 0 when no answer came (network error, timeout). */
  status: number;
  /** 0 for the first try of a request, then 1, 2, … for its retries. */
  attempt: number;
  /** From sending to GitLab's answer (its status and headers), or to the failure. */
  durationMs: number;
}

export interface RequestOptions<T> {
  query?: Query;
  body?: unknown;
  /** Validates the JSON answer; without it the answer is returned as `unknown`. */
  schema?: z.ZodType<T>;
}

export interface Page<T> {
  items: T[];
  /** Page number to ask for next, or undefined on the last page. */
  nextPage: number | undefined;
  nextUrl: string | undefined;
}

const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 500, maxDelayMs: 30_000 };

/** Creating a note, on an issue or merge request or in one of its threads. */
const NOTE_PATH = /\/(?:notes|discussions\/[^/]+\/notes)$/;

/**
 * Holds the calls a pause GitLab asked for applies to. A 429 from the per-user or per-IP limits
 * (Rack::Attack) comes with `RateLimit-Remaining: 0`, and a 503 or an exhausted `RateLimit-Remaining`
 * on any answer concerns everything: every call waits. Any other 429 comes from a limit on one action
 * (GitLab's application limits on creating notes, issues…, which answer with `Retry-After` alone),
 * which does not stop the rest: creating notes waits, and any other such call waits alone (the
 * client's retry honours its `Retry-After`).
 */
function pauseBudgets(budget: GitLabClientOptions['budget'], response: Response, isNote: boolean, untilMs: number): void {
  const everything = response.status !== 429 || response.headers.get('ratelimit-remaining') === '0';
  if (everything) budget?.all?.pauseUntil(untilMs);
  else if (isNote) budget?.notes?.pauseUntil(untilMs);
}

/** Connection errors that prove the request never reached GitLab, so even a POST may be sent again. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * A GitLab REST API v4 client written against `fetch` only, so it runs on Node and Workers.
 *
 * @example
 * const gitlab = new GitLabClient({ baseUrl: 'https://gitlab.com', token, fetch });
 * const me = await gitlab.request('GET', '/user', { schema: UserSchema });
 */
export class GitLabClient {
  readonly apiUrl: string;
  private readonly options: GitLabClientOptions;
  private readonly headers: Record<string, string>;
  private readonly backoff: BackoffOptions;
  private readonly redact: (text: string) => string;
  private readonly source: TokenSource | undefined;

  constructor(options: GitLabClientOptions, extraHeaders: Record<string, string> = {}) {
    this.options = options;
    this.redact = createRedactor([options.token, ...(options.secrets ?? [])]);
    this.apiUrl = `${options.baseUrl.replace(/\/+$/, '')}/api/v4`;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.headers = { accept: 'application/json', ...extraHeaders };
    this.source = options.credentials ?? (options.token ? staticToken(options.token, options.tokenType ?? 'private') : undefined);
  }

  /** True when requests carry a token. */
  get authenticated(): boolean {
    return this.source !== undefined;
  }

  /**
   * A client whose every request carries `X-Gitlab-Event-UUID`, so GitLab refuses to fire the same
   * hook again within the chain the event started (its own loop breaker, see GITLAB's web_hook_service),
   * and, given `onAttempt`, reports its attempts there too (as `observe`).
   */
  forEvent(eventUuid: string | undefined, onAttempt?: NonNullable<GitLabClientOptions['onAttempt']>): GitLabClient {
    if (!eventUuid) return onAttempt ? this.observe(onAttempt) : this;
    // One client for both, made for every event.
    return new GitLabClient(onAttempt ? this.observing(onAttempt) : this.options, { ...this.headers, 'x-gitlab-event-uuid': eventUuid });
  }

  /** A client that tries once and waits at most `timeoutMs` (for health checks, which must answer quickly). */
  once(timeoutMs = 5_000): GitLabClient {
    return new GitLabClient({ ...this.options, retries: 0, timeoutMs }, this.headers);
  }

  /** A client that also reports each HTTP attempt to `onAttempt` (to count the calls of one job). */
  observe(onAttempt: NonNullable<GitLabClientOptions['onAttempt']>): GitLabClient {
    return new GitLabClient(this.observing(onAttempt), this.headers);
  }

  private observing(onAttempt: NonNullable<GitLabClientOptions['onAttempt']>): GitLabClientOptions {
    const outer = this.options.onAttempt;
    return { ...this.options, onAttempt: (attempt) => (outer?.(attempt), onAttempt(attempt)) };
  }

  /** Sends one request (retrying what may be retried) and returns the validated JSON answer. */
  async request<T = unknown>(method: HttpMethod, path: string, options: RequestOptions<T> = {}): Promise<T> {
    const { body } = await this.send(method, this.url(path, options.query), path, options.body);
    return this.validate(method, path, body, options.schema);
  }

  /**
   * GETs a text answer (a file's raw content) with its headers. Reads at most `maxBytes`: a larger
   * answer, by its `Content-Length` or as it arrives, is refused (`GitLabApiError`, status 413,
   * not retryable) without being read further.
   */
  async requestText(path: string, options: { query?: Query; maxBytes: number }): Promise<{ text: string; headers: Headers }> {
    const { body, headers } = await this.send('GET', this.url(path, options.query), path, undefined, options.maxBytes);
    return { text: typeof body === 'string' ? body : '', headers };
  }

  /** Fetches one page of a list endpoint. */
  async requestPage<T>(path: string, options: RequestOptions<T[]> & { url?: string } = {}): Promise<Page<T>> {
    const url = options.url ?? this.url(path, options.query);
    const { body, headers } = await this.send('GET', url, path, undefined);
    const items = this.validate('GET', path, body, options.schema);
    if (!Array.isArray(items)) {
      throw new GitLabApiError({ status: 200, method: 'GET', path, message: 'expected a JSON array', retryable: false });
    }
    return { items, ...parsePagination(headers) };
  }

  /**
   * Iterates every item of a paginated list, one page in memory at a time, following `Link: rel="next"`
   * or `x-next-page` (GitLab omits the totals above 10 000 items, so the totals are never relied on).
   */
  async *paginate<T>(path: string, options: RequestOptions<T[]> & { perPage?: number } = {}): AsyncGenerator<T> {
    const query = { per_page: options.perPage ?? 100, ...options.query };
    let page = await this.requestPage<T>(path, { ...options, query });
    for (;;) {
      yield* page.items;
      // A next link pointing anywhere but this instance's API is not followed: the token would go with it.
      const nextUrl = page.nextUrl?.startsWith(`${this.apiUrl}/`) ? page.nextUrl : undefined;
      if (nextUrl === undefined && page.nextPage === undefined) return;
      const url = nextUrl ?? this.url(path, { ...query, page: page.nextPage });
      page = await this.requestPage<T>(path, { ...options, url });
    }
  }

  private url(path: string, query: Query | undefined): string {
    const url = new URL(this.apiUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  private validate<T>(method: string, path: string, body: unknown, schema: z.ZodType<T> | undefined): T {
    if (!schema) return body as T;
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    const first = parsed.error.issues[0];
    const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
    throw new GitLabApiError({
      status: 200,
      method,
      path,
      message: `unexpected answer from GitLab: ${where}${first?.message ?? 'invalid'}`,
      retryable: false,
    });
  }

  private async send(method: HttpMethod, url: string, path: string, body: unknown, textLimit?: number): Promise<{ body: unknown; headers: Headers }> {
    const retries = this.options.retries ?? 4;
    let credentials = await this.source?.current();
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(method, url, path, body, attempt, credentials, textLimit);
      } catch (error) {
        // The token was rotated or refreshed while this request was under way (or by another process):
        // sent once more with the new one, which is not a retry of a failure (GitLab did nothing).
        if (error instanceof GitLabApiError && error.status === 401 && credentials && !renewed) {
          const next = await this.source?.rejected(credentials);
          if (next && next.token !== credentials.token) {
            credentials = next;
            renewed = true;
            attempt--;
            continue;
          }
        }
        if (!(error instanceof GitLabApiError) || !error.retryable || attempt >= retries) throw error;
        if (method === 'POST' && !safeToResend(error)) throw error;
        const asked = error.retryAfterMs;
        if (asked !== undefined && asked > (this.options.maxRequestedDelayMs ?? 60_000)) throw error;
        await this.sleep(asked ?? backoffDelay(attempt, this.backoff, this.options.random));
      }
    }
  }

  /** With `textLimit`, a successful answer is returned as text of at most that many bytes, not parsed. */
  private async attempt(method: HttpMethod, url: string, path: string, body: unknown, attempt: number, credentials: Credentials | undefined, textLimit?: number) {
    const doFetch = this.options.fetch ?? fetch;
    const budget = this.options.budget;
    await budget?.all?.take();
    if (method === 'POST' && NOTE_PATH.test(path)) await budget?.notes?.take();
    const headers: Record<string, string> = { ...this.headers, ...(credentials && authHeader(credentials)) };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // The timer is cleared as soon as the answer is read: no timer outlives its request (on Workers a
    // timer left behind belongs to an invocation that has ended).
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    let response: Response | undefined;
    let text: string;
    const sentAt = this.now();
    try {
      response = await doFetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: controller.signal });
      this.options.onAttempt?.({ method, path, status: response.status, attempt, durationMs: this.now() - sentAt });
      const pause = requestedDelay(response.headers, this.now(), response.status === 429);
      if (pause !== undefined) pauseBudgets(budget, response, method === 'POST' && NOTE_PATH.test(path), this.now() + pause);
      text = textLimit !== undefined && response.ok ? await readLimited(response, textLimit, method, path) : await response.text();
    } catch (cause) {
      if (cause instanceof GitLabApiError) throw cause;
      if (!response) this.options.onAttempt?.({ method, path, status: 0, attempt, durationMs: this.now() - sentAt });
      throw networkError(method, path, cause, method === 'POST' ? (this.options.ambiguousRetryDelayMs ?? 5_000) : undefined);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) {
      const retryable = response.status === 429 || response.status >= 500;
      throw new GitLabApiError({
        status: response.status,
        method,
        path,
        // Bounded and redacted here, where GitLab's text enters: an error message is logged, stored and shown.
        // The token this request carried is redacted too: after a rotation it is not among the configured values.
        message: describeErrorBody(response.status, response.statusText, text, (body) => {
          const redacted = this.redact(body);
          return credentials && credentials.token.length >= 4 ? redacted.replaceAll(credentials.token, '[redacted]') : redacted;
        }),
        retryable,
        retryAfterMs: retryable ? requestedDelay(response.headers, this.now()) : undefined,
      });
    }
    if (textLimit !== undefined) return { body: text, headers: response.headers };
    return { body: text === '' ? undefined : parseJson(text, method, path), headers: response.headers };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private sleep(ms: number): Promise<void> {
    return (this.options.sleep ?? ((delay) => new Promise((resolve) => setTimeout(resolve, delay))))(ms);
  }
}

/** A POST that GitLab rejected with 429 or that never left this machine can be sent again without doubling its effect. */
function safeToResend(error: GitLabApiError): boolean {
  if (error.status === 429) return true;
  const code = (error.cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return error.status === 0 && typeof code === 'string' && NOT_SENT_CODES.has(code);
}

/** `ambiguousDelayMs`: for a request that may have been carried out, how long to wait before checking and retrying. */
function networkError(method: string, path: string, cause: unknown, ambiguousDelayMs: number | undefined): GitLabApiError {
  const timedOut = cause instanceof DOMException && cause.name === 'TimeoutError';
  const detail = timedOut ? 'timed out waiting for GitLab' : `could not reach GitLab (${describeCause(cause)})`;
  const code = (cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const neverSent = typeof code === 'string' && NOT_SENT_CODES.has(code);
  const retryAfterMs = neverSent ? undefined : ambiguousDelayMs;
  return new GitLabApiError({ status: 0, method, path, message: detail, retryable: true, retryAfterMs, cause });
}

function describeCause(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (inner && typeof inner.code === 'string') return inner.code;
  return cause instanceof Error ? cause.message : String(cause);
}

/** The body as UTF-8 text, refusing (and no longer reading) one larger than `limit` bytes. */
async function readLimited(response: Response, limit: number, method: string, path: string): Promise<string> {
  const tooLarge = (size: number | undefined) =>
    new GitLabApiError({
      status: 413, method, path, retryable: false,
      message: size === undefined ? `more than the ${limit} bytes rulebot reads` : `${size} bytes, more than the ${limit} rulebot reads`,
    });
  // GitLab names a file's size in X-Gitlab-Size (repository files) even when the answer is streamed.
  const declared = Math.max(...['content-length', 'x-gitlab-size'].map((name) => Number(response.headers.get(name) ?? 0) || 0));
  if (declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(declared);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(undefined);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) bytes.set(chunk, offset), (offset += chunk.byteLength);
  return new TextDecoder().decode(bytes);
}

function parseJson(text: string, method: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new GitLabApiError({ status: 200, method, path, message: 'GitLab answered with invalid JSON', retryable: false, cause });
  }
}

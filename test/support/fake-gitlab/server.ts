// FakeGitLab: a real HTTP server on loopback imitating the parts of GitLab's REST API v4 rulebot uses.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { answerRequest } from './answer.js';
import { answersItself, FaultQueue, faultReply } from './faults.js';
import { RateLimitCounter } from './rate-limit.js';
import { readRequest, type IncomingApiRequest } from './read-request.js';
import { sendReply, statusLine, type Reply } from './replies.js';
import { FakeGitLabState } from './state.js';
import type { Fault, FakeGitLabOptions, RecordedRequest } from './types.js';

/**
 * A fake GitLab for end-to-end tests. Seed it, `start()` it, point the code under test at `url`,
 * then assert on its live state and on the requests it recorded. Seeding and inspecting is
 * inherited from `FakeGitLabState`; this class adds the server, recording and fault injection.
 *
 * @example
 * const gitlab = new FakeGitLab();
 * gitlab.addProject({ id: 1, path_with_namespace: 'group/project' });
 * gitlab.addMergeRequest({ project_id: 1, iid: 2, labels: ['bug'] });
 * const url = await gitlab.start();
 * // … run the bot against `${url}/api/v4` with token "test-token" …
 * expect(gitlab.mergeRequest(1, 2)?.labels).toEqual(['bug', 'triaged']);
 * await gitlab.stop();
 */
export class FakeGitLab extends FakeGitLabState {
  /** Every request received, in order, including refused and faulted ones. */
  readonly requests: RecordedRequest[] = [];

  private readonly perPageMax: number;
  private readonly faults = new FaultQueue();
  private readonly rateLimit: RateLimitCounter;
  private server: Server | undefined;
  private baseUrl: string | undefined;
  /** Aborted by `stop()` so that delayed answers stop waiting. */
  private lifetime = new AbortController();

  constructor(options: FakeGitLabOptions = {}) {
    super(options);
    this.addToken({ token: options.token ?? 'test-token' });
    this.perPageMax = options.perPageMax ?? 100;
    this.rateLimit = new RateLimitCounter(options.rateLimit ?? 2000);
  }

  /** `http://127.0.0.1:<port>`, without `/api/v4`. Only known once `start()` has resolved. */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error('FakeGitLab.url is only known after start()');
    return this.baseUrl;
  }

  /** Listen on 127.0.0.1, on a free port. Resolves to `url`. */
  async start(): Promise<string> {
    if (this.server) throw new Error('FakeGitLab is already started');
    const server = createServer((req, res) => this.onRequest(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('FakeGitLab: unexpected server address');
    this.server = server;
    this.lifetime = new AbortController();
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    return this.baseUrl;
  }

  /** Close the server, dropping kept-alive connections and requests still being delayed. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.lifetime.abort();
    const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    server.closeAllConnections();
    await closed;
  }

  /** Recorded requests with this method (any case) and a path matching `pathPattern`. */
  calls(method?: string, pathPattern?: RegExp): RecordedRequest[] {
    return this.requests.filter(
      (request) =>
        (method === undefined || request.method === method.toUpperCase()) &&
        (pathPattern === undefined || request.path.search(pathPattern) !== -1),
    );
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Answer the next matching request(s) with `fault` instead of normally. See `Fault`. */
  inject(fault: Fault): void {
    this.faults.add(fault);
  }

  /** Drops every injected fault not used up yet: GitLab recovers. */
  clearFaults(): void {
    this.faults.clear();
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendReply(res, { status: 500, body: { message: statusLine(500) } }, {});
      // A bug in the fake must fail the test run, not pass for a GitLab outage: rethrowing makes
      // it an unhandled rejection, which vitest reports.
      throw error;
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let request: IncomingApiRequest;
    try {
      request = await readRequest(req, this.url);
    } catch {
      return; // the client went away before sending its whole body
    }
    // Record and count first, so refused and faulted requests show up too.
    this.requests.push(request.recorded);
    const rateLimitHeaders = this.rateLimit.consume();
    const fault = this.faults.take(request.recorded);

    if (fault?.delayMs !== undefined && !(await this.wait(fault.delayMs))) return;
    if (fault?.reset) {
      req.socket.destroy();
      return;
    }
    if (fault?.resetAfterActing) {
      await this.answer(request);
      req.socket.destroy();
      return;
    }
    const reply = fault && answersItself(fault) ? faultReply(fault) : await this.answer(request);
    if (!res.destroyed) sendReply(res, reply, rateLimitHeaders);
  }

  private answer(request: IncomingApiRequest): Promise<Reply> {
    return answerRequest(request, {
      store: this.store,
      baseUrl: this.url,
      perPageMax: this.perPageMax,
    });
  }

  /** Resolves to false if the fake is stopped meanwhile. */
  private async wait(ms: number): Promise<boolean> {
    try {
      await delay(ms, undefined, { signal: this.lifetime.signal });
      return true;
    } catch {
      return false;
    }
  }
}

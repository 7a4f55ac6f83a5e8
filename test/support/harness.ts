// Starts the real rulebot server on a loopback port against a fake GitLab, and posts webhooks to it.
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, secretValues } from '../../src/config/config.js';
import { createLogger } from '../../src/log.js';
import { startServer, type RunningServer, type StartOptions } from '../../src/runtime/node/server.js';
import { dueRules } from '../../src/schedule/due-rules.js';
import { FakeGitLab } from './fake-gitlab.js';

export const TOKEN = 'test-token';
export const SECRET = 'webhook-secret-for-tests';
export const BOT = { id: 99, username: 'rulebot', name: 'rulebot' };

export interface HarnessOptions {
  /** Rule files by name (`labels.yml` → YAML text). Default: the shipped `rules/` directory. */
  rules?: Record<string, string>;
  /** Extra or overriding environment variables. */
  env?: Record<string, string | undefined>;
  /** A clock shared by rulebot and the fake GitLab (epoch ms), for scenarios spanning days. */
  now?: () => number;
  /** Use this rules directory instead of `rules` (or `rules` given as text). */
  rulesDir?: string;
  /** Per-attempt timeout of rulebot's GitLab client, in ms (default 1 000). */
  timeoutMs?: number;
  /** Seeds the fake GitLab before rulebot starts (for what rulebot does at start-up). */
  seed?: (gitlab: FakeGitLab) => void;
  /** Opens rulebot's store (default: the server's own, SQLite on a thread of its own). */
  openStore?: StartOptions['openStore'];
  /** A signing token (`whsec_…`): sets GITLAB_WEBHOOK_SIGNING_KEY and makes `post` sign every delivery with it. */
  signingKey?: string;
  /** A fake GitLab already started (kept across a restart of rulebot); not stopped by `close()`. */
  gitlab?: FakeGitLab;
  /**
   * Where rulebot keeps its state, kept by `close()` so that a second harness restarts on it: Node's
   * DATA_DIR, the Worker's persisted Durable Object and KV storage.
   */
  stateDir?: string;
}

/** rulebot running in one runtime against a fake GitLab: what the scenarios shared by the runtimes use. */
export interface Harness {
  runtime: 'node' | 'worker';
  gitlab: FakeGitLab;
  logs: string[];
  /** Posts a webhook the way GitLab does; headers override the defaults. */
  post(payload: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Sends any request to rulebot (`/healthz`, a malformed delivery). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Where rulebot listens on loopback (`http://127.0.0.1:PORT`), for a real browser. */
  url: string;
  /** `GET /status` with the webhook secret as bearer token, as JSON. */
  status(): Promise<any>;
  /** Waits until every accepted event has been processed (and every schedule run started has finished). */
  settle(): Promise<void>;
  /**
   * The cron fires at the clock's time: every schedule rule whose cron fired since its last run (or,
   * never run, within the 5 minutes before) runs; resolves when they have finished.
   */
  cron(): Promise<void>;
  /**
   * What runs every 5 minutes for the credential (daily) and the watched webhook: Node's timer, the
   * Worker's cron trigger (which also starts due schedule rules, as `cron()`).
   */
  upkeep(): Promise<void>;
  /** The GitLab calls made since the last `clearRequests()`, as `METHOD /path`. */
  callLines(): string[];
  /** rulebot's webhook URL as a hook in the fake GitLab names it; the fake's test deliveries reach rulebot there. */
  webhookUrl: string;
  close(): Promise<void>;
}

/** The Node runtime's harness, which also reaches into the running process. */
export interface NodeHarness extends Harness {
  server: RunningServer;
}

let deliveries = 0;

export async function startHarness(options: HarnessOptions = {}): Promise<NodeHarness> {
  const clock = options.now;
  const gitlab = options.gitlab ?? new FakeGitLab({ token: TOKEN, botUser: BOT, ...(clock && { now: () => new Date(clock()) }) });
  if (!options.gitlab) await gitlab.start();
  options.seed?.(gitlab);
  const dir = await mkdtemp(join(tmpdir(), 'rulebot-rules-'));
  if (options.rules) {
    for (const [name, text] of Object.entries(options.rules)) await writeFile(join(dir, name), text);
  }
  const logs: string[] = [];
  const env = {
    GITLAB_URL: gitlab.url,
    GITLAB_TOKEN: TOKEN,
    GITLAB_WEBHOOK_SECRET: SECRET,
    RULES_DIR: options.rules ? dir : (options.rulesDir ?? 'rules'),
    DATA_DIR: options.stateDir ?? join(dir, 'data'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    // Scenarios about other capabilities count their calls without projects' own rule files (each
    // project's first event would read one); the project-rules scenarios turn it on.
    PROJECT_CONFIG_FILE: 'off',
    ...(options.signingKey && { GITLAB_WEBHOOK_SIGNING_KEY: options.signingKey }),
    ...options.env,
  };
  let server: RunningServer;
  try {
    server = await startServer({
      env,
      ...(options.openStore && { openStore: options.openStore }),
      log: createLogger({ level: 'debug', write: (line) => logs.push(line), secrets: configuredSecrets(env) }),
      bot: {
        gitlab: { backoff: { baseDelayMs: 5, maxDelayMs: 40 }, timeoutMs: options.timeoutMs ?? 1_000, ambiguousRetryDelayMs: 100 },
        // Short back-off; the give-up window a scenario sets in `env` (as on Workers) is kept.
        retry: { baseDelayMs: 10, maxDelayMs: 100, ...(options.env?.['RETRY_GIVE_UP_AFTER_SECONDS'] === undefined && { giveUpAfterMs: 60_000 }) },
        lostAnswerWindowMs: 1_000,
        ...(clock && { now: clock }),
      },
    });
  } catch (error) {
    if (!options.gitlab) await gitlab.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  gitlab.clearRequests();
  const send = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
  gitlab.setHookDelivery((url, init) => fetch(url, init));
  let lastCron: number | undefined;

  return {
    runtime: 'node',
    gitlab,
    server,
    logs,
    post: (payload, headers) => postWebhook(send, payload, headers, options.signingKey, clock),
    fetch: send,
    url: server.url,
    status: () => readStatus(send, statusCredential(options)),
    settle: () => server.bot.queue.onIdle(),
    async cron() {
      // What the Worker's trigger decides, for a cron timer firing at the clock's time.
      const at = (clock ?? Date.now)();
      const rules = [...server.bot.ruleSet.rules, ...(await server.bot.dynamicScheduleRules())];
      const due = await dueRules(rules, server.bot.store, at, lastCron ?? at - 5 * 60_000);
      lastCron = at;
      await Promise.all(due.map(({ rule }) => server.bot.scheduler.runRule(rule)));
    },
    upkeep: () => server.bot.tick(),
    callLines: () => gitlab.requests.map((r) => `${r.method} ${r.path}`),
    webhookUrl: `${server.url}/webhooks/gitlab`,
    async close() {
      await server.close(1_000);
      if (!options.gitlab) await gitlab.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What opens `GET /status` in a harness with these options: the webhook secret, else the signing token. */
export function statusCredential(options: HarnessOptions): string | undefined {
  const secret = options.env && 'GITLAB_WEBHOOK_SECRET' in options.env ? options.env['GITLAB_WEBHOOK_SECRET'] : SECRET;
  // Either variable may list several values (rotation); any one of them opens it.
  const first = (list: string | undefined) => list?.split(',').map((value) => value.trim()).find(Boolean);
  return first(secret) ?? first(options.env?.['GITLAB_WEBHOOK_SIGNING_KEY']) ?? options.signingKey;
}

/** `GET /status`, authorised with `secret` as bearer token; throws on any answer but 200. */
export async function readStatus(send: (path: string, init?: RequestInit) => Promise<Response>, secret: string | undefined): Promise<any> {
  const response = await send('/status', { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`GET /status answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** Posts a webhook with the headers GitLab sends (signed when a signing key is given); `headers` override them. */
export async function postWebhook(
  send: (path: string, init: RequestInit) => Promise<Response>,
  payload: unknown,
  headers: Record<string, string> = {},
  signingKey: string | undefined,
  clock: (() => number) | undefined,
): Promise<{ status: number; body: any }> {
  deliveries++;
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const id = headers['idempotency-key'] ?? `key-${process.pid}-${deliveries}`;
  const seconds = Math.floor((clock ?? Date.now)() / 1000);
  const response = await send('/webhooks/gitlab', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-gitlab-event': 'Merge Request Hook',
      'x-gitlab-token': SECRET,
      'x-gitlab-event-uuid': `uuid-${process.pid}-${deliveries}`,
      'idempotency-key': id,
      'user-agent': 'GitLab/17.6.0',
      ...(signingKey && signatureHeaders(signingKey, id, seconds, body)),
      ...headers,
    },
    body,
  });
  return { status: response.status, body: await response.json() };
}

/**
 * The headers GitLab sends with a signed delivery (Standard Webhooks): HMAC-SHA256 of
 * `"{id}.{timestamp}.{body}"` keyed with the base64 part of `whsec_…`. Uses node:crypto, independent of
 * the Web Crypto code under test.
 */
export function signatureHeaders(signingKey: string, id: string, timestamp: number, body: string): Record<string, string> {
  const key = Buffer.from(signingKey.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
}

/** What the server itself redacts; an invalid configuration is left for startServer to report. */
function configuredSecrets(env: Record<string, string | undefined>): string[] {
  try {
    return secretValues(parseConfig(env));
  } catch {
    return [env.GITLAB_TOKEN, env.GITLAB_WEBHOOK_SECRET].filter((value): value is string => !!value);
  }
}

/** A diff entry as GitLab's /diffs answers it, with `lines` added lines. */
export function diff(path: string, lines = 1) {
  const body = Array.from({ length: lines }, (_, i) => `+line ${i}`).join('\n');
  return { old_path: path, new_path: path, diff: `@@ -0,0 +1,${lines} @@\n${body}\n` };
}

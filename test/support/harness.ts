// Starts the real rulebot server on a loopback port against a fake GitLab, and posts webhooks to it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.js';
import { startServer, type RunningServer } from '../../src/runtime/node/server.js';
import { FakeGitLab } from './fake-gitlab.js';

export const TOKEN = 'test-token';
export const SECRET = 'webhook-secret-for-tests';
export const BOT = { id: 99, username: 'rulebot', name: 'rulebot' };

export interface HarnessOptions {
  /** Rule files by name (`labels.yml` → YAML text). Default: the shipped `rules/` directory. */
  rules?: Record<string, string>;
  /** Extra or overriding environment variables. */
  env?: Record<string, string | undefined>;
}

export interface Harness {
  gitlab: FakeGitLab;
  server: RunningServer;
  logs: string[];
  /** Posts a webhook the way GitLab does; headers override the defaults. */
  post(payload: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Waits until every accepted event has been processed. */
  settle(): Promise<void>;
  /** The GitLab calls made since the last `clearRequests()`, as `METHOD /path`. */
  callLines(): string[];
  close(): Promise<void>;
}

let deliveries = 0;

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const gitlab = new FakeGitLab({ token: TOKEN, botUser: BOT });
  await gitlab.start();
  const dir = await mkdtemp(join(tmpdir(), 'rulebot-rules-'));
  if (options.rules) {
    for (const [name, text] of Object.entries(options.rules)) await writeFile(join(dir, name), text);
  }
  const logs: string[] = [];
  const env = {
    GITLAB_URL: gitlab.url,
    GITLAB_TOKEN: TOKEN,
    GITLAB_WEBHOOK_SECRET: SECRET,
    RULES_DIR: options.rules ? dir : 'rules',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  let server: RunningServer;
  try {
    server = await startServer({
      env,
      log: createLogger({ level: 'debug', write: (line) => logs.push(line), secrets: [env.GITLAB_TOKEN, env.GITLAB_WEBHOOK_SECRET] }),
      bot: { gitlab: { backoff: { baseDelayMs: 5, maxDelayMs: 40 }, timeoutMs: 1_000 } },
    });
  } catch (error) {
    await gitlab.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  gitlab.clearRequests();

  return {
    gitlab,
    server,
    logs,
    async post(payload, headers = {}) {
      deliveries++;
      const response = await fetch(`${server.url}/webhooks/gitlab`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-gitlab-event': 'Merge Request Hook',
          'x-gitlab-token': SECRET,
          'x-gitlab-event-uuid': `uuid-${process.pid}-${deliveries}`,
          'idempotency-key': `key-${process.pid}-${deliveries}`,
          'user-agent': 'GitLab/17.6.0',
          ...headers,
        },
        body: typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
      return { status: response.status, body: await response.json() };
    },
    settle: () => server.bot.queue.onIdle(),
    callLines: () => gitlab.requests.map((r) => `${r.method} ${r.path}`),
    async close() {
      await server.close(1_000);
      await gitlab.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A diff entry as GitLab's /diffs answers it, with `lines` added lines. */
export function diff(path: string, lines = 1) {
  const body = Array.from({ length: lines }, (_, i) => `+line ${i}`).join('\n');
  return { old_path: path, new_path: path, diff: `@@ -0,0 +1,${lines} @@\n${body}\n` };
}

// Runs the built Worker in Miniflare (workerd), configured from wrangler.toml, against a fake GitLab on loopback.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { buildWorker } from '../../scripts/build-worker.js';
import { FakeGitLab } from './fake-gitlab.js';
import { BOT, postWebhook, readStatus, SECRET, statusCredential, TOKEN, type Harness, type HarnessOptions } from './harness.js';

/** Shortened platform timings, for tests only; bindings, classes, queues and limits come from wrangler.toml. */
export interface WorkerHarnessOptions extends HarnessOptions {
  /** Retries of one message before it goes to the dead-letter queue (wrangler.toml: 100). */
  maxRetries?: number;
  /** False: nothing consumes the queue (benchmarks measure acknowledging alone). */
  consume?: boolean;
  /** Another Worker module to run with rulebot's bindings instead of rulebot (a benchmark's baseline). */
  script?: string;
  /** False: no `/readyz` at start, so the first request is the isolate's first (benchmarks measure it). */
  warm?: boolean;
}

export interface WorkerHarness extends Harness {
  miniflare: Miniflare;
  /** Sends a message to rulebot's queue as another producer would. */
  sendToQueue(body: unknown): Promise<void>;
}

const BUILDS = join(tmpdir(), 'rulebot-worker-builds');

process.env['WRANGLER_SEND_METRICS'] = 'false';
process.env['XDG_CONFIG_HOME'] ??= join(tmpdir(), 'rulebot-wrangler-config');

export async function startWorkerHarness(options: WorkerHarnessOptions = {}): Promise<WorkerHarness> {
  const clock = options.now;
  const gitlab = options.gitlab ?? new FakeGitLab({ token: TOKEN, botUser: BOT, ...(clock && { now: () => new Date(clock()) }) });
  if (!options.gitlab) await gitlab.start();
  options.seed?.(gitlab);
  const dir = await mkdtemp(join(tmpdir(), 'rulebot-worker-'));
  const logs: string[] = [];
  let miniflare: Miniflare | undefined;
  let baseUrl = '';
  try {
    let rulesDir = options.rulesDir ?? 'rules';
    if (options.rules) {
      rulesDir = join(dir, 'rules');
      await mkdir(rulesDir);
      for (const [name, text] of Object.entries(options.rules)) await writeFile(join(rulesDir, name), text);
    }
    const script = options.script ?? (await bundleFor(rulesDir));
    const { workerOptions } = unstable_getMiniflareWorkerOptions('wrangler.toml');
    const consumers = Object.fromEntries(
      Object.entries(workerOptions.queueConsumers as Record<string, object>).map(([queue, consumer]) => [
        queue,
        { ...consumer, maxBatchTimeout: 0.05, retryDelay: 0, ...(options.maxRetries !== undefined && { maxRetries: options.maxRetries }) },
      ]),
    );
    const env = {
      GITLAB_URL: gitlab.url,
      GITLAB_TOKEN: TOKEN,
      GITLAB_WEBHOOK_SECRET: SECRET,
      LOG_LEVEL: 'debug',
      GITLAB_TIMEOUT_SECONDS: String((options.timeoutMs ?? 5_000) / 1000),
      RETRY_BASE_DELAY_SECONDS: '0',
      // As on Node (harness.ts): the project-rules scenarios turn projects' own files on.
      PROJECT_CONFIG_FILE: 'off',
      ...(options.signingKey && { GITLAB_WEBHOOK_SIGNING_KEY: options.signingKey }),
      ...options.env,
    };
    const bindings = Object.fromEntries(Object.entries({ ...workerOptions.bindings, ...env }).filter(([, value]) => value !== undefined));
    miniflare = new Miniflare({
      ...(workerOptions as MiniflareOptions),
      name: 'rulebot',
      modules: true,
      scriptPath: script,
      // Module names are relative to this; the bundle lives outside the project.
      modulesRoot: dirname(script),
      bindings,
      queueConsumers: options.consume === false ? {} : consumers,
      ...(options.stateDir && { durableObjectsPersist: join(options.stateDir, 'do'), kvPersist: join(options.stateDir, 'kv') }),
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
        for (const stream of [stdout, stderr]) createInterface({ input: stream }).on('line', (line) => logs.push(line));
      },
    } as MiniflareOptions);
    baseUrl = (
      await miniflare.ready.catch((error: Error) => {
        throw new Error(`${error.message}\n${logs.join('\n')}`);
      })
    ).origin;
  } catch (error) {
    await miniflare?.dispose();
    if (!options.gitlab) await gitlab.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const mf = miniflare;
  const send = async (path: string, init?: RequestInit): Promise<Response> => {
    const response = await mf.dispatchFetch(`http://rulebot.test${path}`, init as never);
    return response as unknown as Response;
  };
  // A hook's test delivery reaches the Worker the way a request from GitLab would.
  gitlab.setHookDelivery((url, init) => send(new URL(url).pathname, init));
  const status = () => readStatus(send, statusCredential(options));

  // As the Node process does at start: learn the bot's user (and fail here if GitLab refuses the token).
  if (options.warm !== false) {
    const ready = await send('/readyz');
    if (ready.status !== 200) throw new Error(`the Worker is not ready: ${ready.status} ${await ready.text()}\n${logs.join('\n')}`);
    gitlab.clearRequests();
  }

  const harness: WorkerHarness = {
    runtime: 'worker',
    miniflare: mf,
    gitlab,
    logs,
    post: (payload, headers) => postWebhook(send, payload, headers, options.signingKey, clock),
    fetch: send,
    url: baseUrl,
    status,
    async settle() {
      // Accepted events stay in the store until their actions are done; a running scan is marked there too.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const { queue } = await status();
        if (queue.depth === 0 && queue.scans_running.length === 0) return;
        if (Date.now() > deadline) throw new Error(`the Worker did not settle within 15 s: ${JSON.stringify(queue)}\n${logs.slice(-15).join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async cron() {
      const worker = await mf.getWorker();
      await worker.scheduled({ scheduledTime: new Date((clock ?? Date.now)()), cron: '*/5 * * * *' });
      await harness.settle();
    },
    upkeep: () => harness.cron(),
    async sendToQueue(body) {
      const queue = await mf.getQueueProducer<unknown>('EVENTS');
      await queue.send(body);
    },
    callLines: () => gitlab.requests.map((r) => `${r.method} ${r.path}`),
    webhookUrl: 'http://rulebot.test/webhooks/gitlab',
    async close() {
      await mf.dispose();
      if (!options.gitlab) await gitlab.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** The Worker bundled with these rules, built once per set of rule files (test files run in parallel processes). */
async function bundleFor(rulesDir: string): Promise<string> {
  const names = (await readdir(rulesDir)).filter((name) => /\.ya?ml$/i.test(name)).sort();
  const hash = createHash('sha256');
  for (const name of names) hash.update(`${name}\0${await readFile(join(rulesDir, name), 'utf8')}\0`);
  for (const file of await sourceFiles('src')) hash.update(`${file}\0${await readFile(file)}\0`);
  const target = join(BUILDS, hash.digest('hex').slice(0, 16), 'index.js');
  try {
    await readFile(target);
    return target;
  } catch {
    const scratch = join(BUILDS, `tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const built = await buildWorker({ rulesDir, outfile: join(scratch, 'index.js') });
    if (!built.ok) throw new Error(`the Worker cannot be built:\n${built.check.join('\n')}`);
    await mkdir(join(target, '..'), { recursive: true });
    await rename(join(scratch, 'index.js'), target).catch(() => {});
    await rename(join(scratch, 'index.js.map'), `${target}.map`).catch(() => {});
    await rm(scratch, { recursive: true, force: true });
    return target;
  }
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts')).map((entry) => join(entry.parentPath, entry.name)).sort();
}

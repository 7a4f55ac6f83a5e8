// Starts rulebot on Node: configuration from the environment, rules from disk, DATA_DIR to itself, an HTTP server, a stop within the grace period.
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createBot, type Bot, type BotDeps } from './bot.js';
import { configWarnings, parseConfig, secretValues, type Config } from '../../config/config.js';
import { createLogger, type Logger } from '../../log.js';
import type { RuleConfigStore, Store } from '../../store/index.js';
import { DataDirInUseError, DataDirLock, describeHolder, type LockHolder } from './data-dir-lock.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import { loadCentralRulesDir } from './load-rules-dir.js';
import { RuleConfigError } from '../../errors.js';
import { CENTRAL } from '../../project-rules/index.js';
import { createPooledFetch } from './pooled-fetch.js';
import { createUpkeep } from '../../upkeep/index.js';
import { explainDataDirError, explainListenError } from './start-errors.js';
import { createWaitingApp } from './waiting-app.js';

export interface RunningServer {
  bot: Bot;
  config: Config;
  url: string;
  port: number;
  /**
   * Stops within `graceMs` (default: SHUTDOWN_GRACE_SECONDS). New deliveries are answered 503 at
   * once; the events under way may finish until shortly before the end; then their GitLab calls
   * are cut, they record what they know (a comment whose answer never came) and stay stored for the
   * next start. Last the connections, the store and DATA_DIR's lock are closed, in that order.
   */
  close(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  env: Record<string, string | undefined>;
  log?: Logger;
  /** Extra bot dependencies (tests: GitLab client timings, an outcome hook). */
  bot?: Partial<Pick<BotDeps, 'gitlab' | 'onProcessed' | 'now' | 'retry' | 'lostAnswerWindowMs'>>;
  /** Opens the store in DATA_DIR (default: `SqliteStore`). Tests that reach into the database keep the one they open. */
  openStore?: (dir: string, options: SqliteStoreOptions) => (Store & RuleConfigStore) | Promise<Store & RuleConfigStore>;
  /**
   * Aborted, it gives up a start still under way (SIGTERM while waiting for DATA_DIR or for GitLab):
   * `startServer` then rejects, having closed what it opened.
   */
  signal?: AbortSignal;
}

/** How often a process waiting for DATA_DIR tries to take it: a rolling deploy's new instance takes over within this of the old one's exit. */
const LOCK_POLL_MS = 1_000;

type Listener = ServerType & { address(): AddressInfo | string | null };
type Handler = (request: Request, env: unknown) => Response | Promise<Response>;

/** Starts the server and resolves once it serves events. Throws ConfigError / RuleConfigError / DataDirInUseError on bad set-up. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const config = parseConfig(options.env);
  const log = options.log ?? createLogger({ level: config.logLevel, secrets: secretValues(config) });
  const central = await loadCentralRulesDir(config.rulesDir);
  const rules = central.ruleSet;
  // Nothing in DATA_DIR is read or written before this process holds it: events stored there are
  // run by one process only, and a second one would run them again beside the first.
  let handler: Handler = createWaitingApp().fetch;
  const { lock, listener: waitingListener } = await takeDataDir(config, log, (request, env) => handler(request, env), options).catch((error: unknown) => {
    throw explainDataDirError(error, config.dataDir);
  });

  // The store keeps time by the same clock as the queue: a retry's time is compared with it.
  let store: Store & RuleConfigStore;
  try {
    const storeOptions: SqliteStoreOptions = {
      ...(options.bot?.now && { now: options.bot.now }),
      decisions: config.decisions,
      onRecordError: (error) => log.warn('decision record not stored', { error }),
    };
    store = options.openStore ? await options.openStore(config.dataDir, storeOptions) : new SqliteStore(config.dataDir, storeOptions);
  } catch (error) {
    lock.release();
    throw explainDataDirError(error, config.dataDir);
  }
  const pool = createPooledFetch();
  // The credential (stored sealed in DATA_DIR once rotated or refreshed) and the webhook's watch.
  const upkeep = createUpkeep({ config, store, log, fetch: pool.fetch, runtime: 'server', now: options.bot?.now, gitlab: options.bot?.gitlab });
  const bot = createBot({ config, rules, central, store, ruleConfigs: store, shareReads: true, log, fetch: pool.fetch, upkeep, ...options.bot });
  // Stopped while starting: GitLab calls under way (asking who the token is) end now.
  const cutGitLab = () => pool.abort();
  options.signal?.addEventListener('abort', cutGitLab);
  let server: Listener | undefined = waitingListener;
  let connectedAtStart: boolean;
  try {
    // GitLab unreachable at start (a blip during a restart) is no reason to stop: webhooks are
    // accepted and stored, and run once it answers. A token GitLab refuses is.
    connectedAtStart = await bot.connect();
    // Rule files that extend presets are checked with them when GitLab answers now, as invalid rule
    // files are: refused unless a valid version of them is kept. Otherwise at the first event.
    if (central.presets && config.gitlabToken && bot.user()) await checkCentralPresets(bot);
    // Events accepted before a crash or restart and not finished go first, in their order: they are
    // queued before deliveries are served, so no new delivery can overtake them.
    await bot.resume();
    handler = bot.app.fetch as Handler;
    server ??= await listen((request, env) => handler(request, env), config);
    // Schedules start once GitLab answered: a run would fail, and its missed run would be lost, before.
    void bot
      .connected()
      .then(() => bot.scheduler.start())
      .catch((error: unknown) => log.error('starting the schedules failed', { error }));
  } catch (error) {
    await bot.stop(0);
    if (server) await closeListener(server);
    await Promise.all([pool.close(), store.close()]);
    lock.release();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', cutGitLab);
  }
  // Dead letters put back from the command line land in the store; pick them up while running.
  const poll = setInterval(() => void bot.resume().catch((error: unknown) => log.error('reading stored events failed', { error })), 5_000);
  poll.unref();
  // The webhook is looked at once rulebot listens (re-enabling it sends a test delivery here), then
  // every 5 minutes. Start-up waits for that first look for a while, not for a slow GitLab's retries.
  if (connectedAtStart) await Promise.race([bot.tick(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  else void bot.connected().then(() => bot.tick());
  const upkeepTimer = setInterval(() => void bot.tick(), 5 * 60_000);
  upkeepTimer.unref();
  const listener = server;
  const url = urlOf(listener, config);
  log.info('rulebot listening', {
    url,
    rules: rules.rules.length,
    gitlab: config.gitlabUrl,
    user: bot.user()?.username,
  });
  if (config.dryRun) {
    log.warn(`dry-run mode (${config.dryRunReason}): events are matched and the API calls rulebot would make are logged, not sent`);
  }
  if (config.webhookSecrets.length === 0 && config.webhookSigningKeys.length === 0) {
    log.warn('neither GITLAB_WEBHOOK_SECRET nor GITLAB_WEBHOOK_SIGNING_KEY is set: webhooks are accepted from anyone');
  }
  for (const warning of configWarnings(config)) log.warn(warning);

  return {
    bot,
    config,
    url,
    port: (listener.address() as AddressInfo).port,
    async close(graceMs = config.shutdownGraceMs) {
      clearInterval(poll);
      clearInterval(upkeepTimer);
      // The end of the grace period is kept for cutting what still runs: an orchestrator kills the
      // process when its own grace period ends, and a cut call is recorded where a killed one is not.
      const cutMs = Math.min(1_000, graceMs / 4);
      if (!(await bot.stop(graceMs - cutMs))) {
        log.warn('stopping with events in progress: their GitLab calls are cut, and they stay stored for the next start', {
          in_process: bot.queue.size,
        });
      }
      pool.abort();
      await settledWithin(bot.queue.onIdle(), cutMs);
      await closeListener(listener);
      // Whatever still runs now writes nothing (see SqliteStore), and only then is DATA_DIR handed on.
      await store.close();
      lock.release();
      await pool.close();
    },
  };
}

/**
 * Takes DATA_DIR's lock. When another process holds it: with DATA_DIR_LOCK=fail, throws; otherwise
 * says who holds it and tries again every LOCK_POLL_MS until it is free, listening meanwhile with
 * `handler` (which answers as `createWaitingApp` does until the bot is ready).
 *
 * Why listen while waiting: an orchestrator that starts the new instance of a rolling deploy before
 * stopping the old one waits for the new one to look alive; if it did not listen, the deploy would
 * stall there. If the port is taken (the holder runs on this host with the same PORT), the process
 * waits without listening and listens once it holds DATA_DIR, when the holder has let the port go.
 */
async function takeDataDir(
  config: Config,
  log: Logger,
  handler: Handler,
  options: Pick<StartOptions, 'signal'>,
): Promise<{ lock: DataDirLock; listener?: Listener }> {
  const dir = config.dataDir;
  const lock = DataDirLock.tryAcquire(dir);
  if (lock) return { lock };
  let holder = DataDirLock.holder(dir);
  if (config.dataDirLock === 'fail') {
    throw new DataDirInUseError(`${describeHolder(dir, holder)}; stop it, or give this process a DATA_DIR of its own, or unset DATA_DIR_LOCK to wait for it`);
  }
  const listener = await listen(handler, config).catch((error: unknown) => {
    log.warn('cannot listen while waiting for DATA_DIR; listening once it is taken', { error });
    return undefined;
  });
  const url = listener && urlOf(listener, config);
  const since = Date.now();
  log.warn('DATA_DIR is in use by another process; waiting for it to stop, processing nothing until then', {
    data_dir: resolve(dir), holder, ...(url && { url }),
  });
  try {
    for (;;) {
      await delay(LOCK_POLL_MS, undefined, { signal: options.signal });
      const taken = DataDirLock.tryAcquire(dir);
      if (taken) {
        log.info('DATA_DIR taken over', { data_dir: resolve(dir), from: holder, waited_ms: Date.now() - since });
        return { lock: taken, ...(listener && { listener }) };
      }
      const now = DataDirLock.holder(dir);
      if (!sameHolder(now, holder)) {
        holder = now;
        log.warn('DATA_DIR is now held by another process; still waiting', { data_dir: resolve(dir), holder });
      }
    }
  } catch (error) {
    if (listener) await closeListener(listener);
    throw error;
  }
}

/** Waits for `promise`, or `ms` at most. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function sameHolder(a: LockHolder | undefined, b: LockHolder | undefined): boolean {
  return a?.pid === b?.pid && a?.host === b?.host && a?.since === b?.since;
}

function listen(handler: Handler, config: Config): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: handler, port: config.port, hostname: config.host }, () => resolve(server as never));
    server.once('error', (error) => reject(explainListenError(error, config)));
  });
}

/** Stops listening and drops every connection, including kept-alive ones and requests under way. */
function closeListener(server: Listener): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

function urlOf(server: Listener, config: Config): string {
  const port = (server.address() as AddressInfo).port;
  return `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
}

/** Rule files that extend presets, checked with their presets: refused at start unless a valid version of them is kept. */
async function checkCentralPresets(bot: Bot): Promise<void> {
  await bot.ruleConfigs.centralRules(bot.gitlab);
  const kept = await bot.ruleConfigs.store.ruleConfig(CENTRAL, { texts: false });
  if (kept && kept.problems.length > 0 && !kept.last_valid) throw new RuleConfigError(kept.problems.map((problem) => problem.text));
}

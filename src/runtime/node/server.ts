// Starts rulebot on Node: configuration from the environment, rules from disk, an HTTP server, a stop within the grace period.
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createBot, type Bot, type BotDeps } from './bot.js';
import { parseConfig, secretValues, type Config } from '../../config/config.js';
import { createLogger, type Logger } from '../../log.js';
import { SqliteStore } from './sqlite-store.js';
import { loadRulesDir } from './load-rules-dir.js';
import { createPooledFetch } from './pooled-fetch.js';

export interface RunningServer {
  bot: Bot;
  config: Config;
  url: string;
  port: number;
  /**
   * Stops within `graceMs` (default: SHUTDOWN_GRACE_SECONDS). New deliveries are answered 503 at
   * once; the events under way may finish until shortly before the end; then their GitLab calls
   * are cut, they record what they know (a comment whose answer never came) and stay stored for the
   * next start. Last the connections and the store are closed, in that order.
   */
  close(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  env: Record<string, string | undefined>;
  log?: Logger;
  /** Extra bot dependencies (tests: GitLab client timings, an outcome hook). */
  bot?: Partial<Pick<BotDeps, 'gitlab' | 'onProcessed' | 'now' | 'retry' | 'lostAnswerWindowMs'>>;
}

/** Starts the server and resolves once it listens. Throws ConfigError / RuleConfigError on bad set-up. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const config = parseConfig(options.env);
  const log = options.log ?? createLogger({ level: config.logLevel, secrets: secretValues(config) });
  const rules = await loadRulesDir(config.rulesDir);
  const pool = createPooledFetch();
  const store = new SqliteStore(config.dataDir);
  const bot = createBot({ config, rules, store, log, fetch: pool.fetch, ...options.bot });
  try {
    await bot.init();
  } catch (error) {
    await Promise.all([pool.close(), store.close()]);
    throw error;
  }

  // Events accepted before a crash or restart and not finished go first, in their order: they are
  // queued before the server listens, so no new delivery can overtake them.
  await bot.resume();
  const server = await listen(bot, config);
  await bot.scheduler.start();
  // Dead letters put back from the command line land in the store; pick them up while running.
  const poll = setInterval(() => void bot.resume().catch((error: unknown) => log.error('reading stored events failed', { error })), 5_000);
  poll.unref();
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
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

  return {
    bot,
    config,
    url,
    port,
    async close(graceMs = config.shutdownGraceMs) {
      clearInterval(poll);
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
      await closeListener(server);
      // Whatever still runs now writes nothing (see SqliteStore).
      await store.close();
      await pool.close();
    },
  };
}

/** Waits for `promise`, or `ms` at most. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Stops listening and drops every connection, including kept-alive ones and requests under way. */
function closeListener(server: ServerType): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

function listen(bot: Bot, config: Config): Promise<ServerType & { address(): AddressInfo | string | null }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: bot.app.fetch, port: config.port, hostname: config.host }, () => resolve(server as never));
    server.once('error', reject);
  });
}

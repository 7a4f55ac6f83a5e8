// Starts rulebot on Node: configuration from the environment, rules from disk, an HTTP server, graceful stop.
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createBot, type Bot, type BotDeps } from './bot.js';
import { configWarnings, parseConfig, secretValues, type Config } from '../../config/config.js';
import { createLogger, type Logger } from '../../log.js';
import { SqliteStore } from './sqlite-store.js';
import { loadRulesDir } from './load-rules-dir.js';
import { createPooledFetch } from './pooled-fetch.js';
import { createUpkeep } from '../../upkeep/index.js';

export interface RunningServer {
  bot: Bot;
  config: Config;
  url: string;
  port: number;
  /** Stops accepting, lets accepted events finish (up to `graceMs`), and closes connections. */
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
  // The credential (stored sealed in DATA_DIR once rotated or refreshed) and the webhook's watch.
  const upkeep = createUpkeep({ config, store, log, fetch: pool.fetch, runtime: 'server', now: options.bot?.now, gitlab: options.bot?.gitlab });
  const bot = createBot({ config, rules, store, log, fetch: pool.fetch, upkeep, ...options.bot });
  let connectedAtStart: boolean;
  try {
    // GitLab unreachable at start (a blip during a restart) is no reason to stop: webhooks are
    // accepted and stored, and run once it answers. A token GitLab refuses is.
    connectedAtStart = await bot.connect();
  } catch (error) {
    await Promise.all([pool.close(), store.close()]);
    throw error;
  }

  // Events accepted before a crash or restart and not finished go first, in their order: they are
  // queued before the server listens, so no new delivery can overtake them.
  await bot.resume();
  const server = await listen(bot, config);
  // Schedules start once GitLab answered: a run would fail, and its missed run would be lost, before.
  void bot
    .connected()
    .then(() => bot.scheduler.start())
    .catch((error: unknown) => log.error('starting the schedules failed', { error }));
  // Dead letters put back from the command line land in the store; pick them up while running.
  const poll = setInterval(() => void bot.resume().catch((error: unknown) => log.error('reading stored events failed', { error })), 5_000);
  poll.unref();
  // The webhook is looked at once rulebot listens (re-enabling it sends a test delivery here), then
  // every 5 minutes. Start-up waits for that first look for a while, not for a slow GitLab's retries.
  if (connectedAtStart) await Promise.race([bot.tick(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  else void bot.connected().then(() => bot.tick());
  const upkeepTimer = setInterval(() => void bot.tick(), 5 * 60_000);
  upkeepTimer.unref();
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
  for (const warning of configWarnings(config)) log.warn(warning);

  return {
    bot,
    config,
    url,
    port,
    async close(graceMs = 10_000) {
      // New deliveries get 503 while the events under way finish; the rest stay stored for the next start.
      clearInterval(poll);
      clearInterval(upkeepTimer);
      await bot.stop(graceMs);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await Promise.all([pool.close(), store.close()]);
    },
  };
}

function listen(bot: Bot, config: Config): Promise<ServerType & { address(): AddressInfo | string | null }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: bot.app.fetch, port: config.port, hostname: config.host }, () => resolve(server as never));
    server.once('error', reject);
  });
}

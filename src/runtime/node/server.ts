// Starts rulebot on Node: configuration from the environment, rules from disk, an HTTP server, graceful stop.
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createBot, type Bot, type BotDeps } from './bot.js';
import { configWarnings, parseConfig, secretValues, type Config } from '../../config/config.js';
import { createLogger, type Logger } from '../../log.js';
import { SqliteStore } from './sqlite-store.js';
import { loadCentralRulesDir } from './load-rules-dir.js';
import { RuleConfigError } from '../../errors.js';
import { CENTRAL } from '../../project-rules/index.js';
import { createPooledFetch } from './pooled-fetch.js';

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
  const central = await loadCentralRulesDir(config.rulesDir);
  const rules = central.ruleSet;
  const pool = createPooledFetch();
  const store = new SqliteStore(config.dataDir);
  const bot = createBot({ config, rules, central, store, ruleConfigs: store, shareReads: true, log, fetch: pool.fetch, ...options.bot });
  try {
    // GitLab unreachable at start (a blip during a restart) is no reason to stop: webhooks are
    // accepted and stored, and run once it answers. A token GitLab refuses is.
    await bot.connect();
    // Rule files that extend presets are checked with them when GitLab answers now, as invalid rule
    // files are: refused unless a valid version of them is kept. Otherwise at the first event.
    if (central.presets && config.gitlabToken && bot.user()) await checkCentralPresets(bot);
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
      await bot.stop(graceMs);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await Promise.all([pool.close(), store.close()]);
    },
  };
}

async function checkCentralPresets(bot: Bot): Promise<void> {
  await bot.ruleConfigs.centralRules(bot.gitlab);
  const kept = await bot.ruleConfigs.store.ruleConfig(CENTRAL, { texts: false });
  if (kept && kept.problems.length > 0 && !kept.last_valid) throw new RuleConfigError(kept.problems.map((problem) => problem.text));
}

function listen(bot: Bot, config: Config): Promise<ServerType & { address(): AddressInfo | string | null }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: bot.app.fetch, port: config.port, hostname: config.host }, () => resolve(server as never));
    server.once('error', reject);
  });
}

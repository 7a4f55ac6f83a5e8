// Assembles rulebot once per Worker isolate from its bindings: configuration, rules, the store object, the engine, the app.
import type { Hono } from 'hono';
import { createApp } from '../../http/app.js';
import { configWarnings, parseConfig, secretValues, type Config } from '../../config/config.js';
import { createEngine, type Engine } from '../../engine.js';
import { UserSchema } from '../../gitlab/schemas.js';
import { createLogger, type Logger } from '../../log.js';
import { prepareCentralRules, type RuleSource } from '../../rules/index.js';
import { withBoundedErrors } from '../../store/bounded-errors.js';
import type { Store } from '../../store/index.js';
import { CounterSink, countOutcomes, renderText, seriesKey, TEXT_CONTENT_TYPE } from '../../metrics/index.js';
import { ruleSummary } from '../../decisions/index.js';
import { createUpkeep, type Upkeep } from '../../upkeep/index.js';
import type { QueueMessage } from './messages.js';
import { ruleConfigStoreFromObject, storeFromObject, type RulebotStore } from './store-object.js';

export interface Env {
  /** The queue accepted events and scan steps go through (producer and consumer). */
  EVENTS: Queue<QueueMessage>;
  /** The store: one SQLite-backed Durable Object. */
  STORE: DurableObjectNamespace<RulebotStore>;
  /** Caches shared by isolates that may be stale for a while: the bot's own user. */
  CACHE: KVNamespace;
  /** Vars and secrets: the same variables as on Node (GITLAB_URL, GITLAB_TOKEN, …). */
  [variable: string]: unknown;
}

export interface Worker {
  env: Env;
  config: Config;
  log: Logger;
  engine: Engine;
  store: Store;
  /** The credential (sealed in the store object, rotated or refreshed once for all isolates) and the webhook's watch. */
  upkeep: Upkeep;
  /** A stub of the store object, for what only the Worker needs (scan state, the trigger's clock); one per invocation. */
  storeObject(): DurableObjectStub<RulebotStore>;
  app: Hono;
  /** Resolves once the bot's user is known (from KV, or from GitLab and then cached in KV). */
  ready(): Promise<void>;
  /** Adds what this isolate counted to the store object's counters; call at the end of every invocation. */
  flushMetrics(): Promise<void>;
}

/** The name of the only store object: one place for deliveries, claims and effects keeps them once-only. */
const STORE_NAME = 'rulebot';
/** How long isolates trust the cached bot user before asking GitLab again. */
const USER_CACHE_SECONDS = 3600;

let current: Worker | undefined;

/** This isolate's rulebot, built on first use; isolates are reused across requests, queue batches and cron triggers. */
export function workerFor(env: Env, rules: readonly RuleSource[]): Worker {
  // Bindings and vars are fixed for the life of an isolate: one assembly serves all its invocations.
  current ??= buildWorker(env, rules);
  return current;
}

function buildWorker(env: Env, sources: readonly RuleSource[]): Worker {
  const config = parseConfig(stringVariables(env));
  const log = createLogger({ level: config.logLevel, secrets: secretValues(config) });
  // Rule files that extend presets are compiled once the presets are read, at the first event.
  const central = prepareCentralRules(sources);
  const ruleSet = central.ruleSet;
  const storeObject = () => env.STORE.get(env.STORE.idFromName(STORE_NAME));
  // Isolates come and go and a scrape reaches one of them: counts go to the store object, each
  // invocation adding what it counted when it ends (flushMetrics), so `/metrics` shows every isolate's.
  const metrics = new CounterSink();
  // Every error recorded, listed or shown in /status passes through this: short and without secrets.
  const store = countOutcomes(withBoundedErrors(storeFromObject(storeObject), secretValues(config)), metrics);
  const upkeep = createUpkeep({ config, store, log, runtime: 'worker' });
  // Configurations read from GitLab are kept in the store object: one isolate reads a project's file,
  // every isolate uses it. A read in progress is never shared: an invocation may not wait on another's promise.
  const engine = createEngine({ config, rules: ruleSet, central, store, ruleConfigs: ruleConfigStoreFromObject(storeObject), shareReads: false, log, upkeep, metrics });
  const flushMetrics = async () => {
    const samples = metrics.take();
    if (samples.length === 0) return;
    try {
      await storeObject().addCounters(samples.map((sample) => ({ series: seriesKey(sample.name, sample.labels), value: sample.value })));
    } catch (error) {
      metrics.putBack(samples);
      log.warn('counts not added to the store object; kept for the next invocation', { error });
    }
  };

  // Each invocation that finds the user unknown asks for it itself: a promise made while handling one
  // request must not be awaited while handling another (the first may end, or fail, first).
  let started = false;
  const ready = async () => {
    if (engine.user() === undefined || !started) await learnUser(env, config, engine, upkeep);
    started = true;
  };

  const app = createApp({
    secrets: config.webhookSecrets,
    signingKeys: config.webhookSigningKeys,
    maxBodyBytes: config.maxBodyBytes,
    // No byte budget for bodies here: a request cannot wait on a promise another request resolves
    // (workerd cancels it as hung), and the platform bounds each isolate's memory and body size itself.
    store,
    enqueue: async (job) => {
      try {
        await env.EVENTS.send({ type: 'event', id: job.id });
      } catch (error) {
        // Stored already: the cron trigger sends overdue events again, so it is still acknowledged.
        log.error('could not queue an accepted event; the next cron trigger sends it again', { event_id: job.id, error });
      }
    },
    botUserId: () => engine.user()?.id,
    log,
    health: {
      status: async () => ({ runtime: 'worker', queue: await store.queueStats(), rules: await engine.ruleConfigs.status(), ...(await upkeep.status()) }),
      ready: async () => {
        const storeOk = await store.queueStats().then(() => true, () => false);
        const gitlab = await engine.gitlabReachable();
        const credential = await upkeep.problem();
        // A Worker never stops taking deliveries (the platform drains isolates itself): `accepting` is always true.
        const checks = { store: storeOk, rules: ruleSet.rules.length, gitlab, accepting: true, ...(credential && { credential }) };
        return { ready: storeOk && gitlab !== false && !credential, checks };
      },
    },
    metrics,
    uiTokens: config.uiTokens,
    metricsPublic: config.metricsPublic,
    async metricsText() {
      await flushMetrics();
      const [series, stats] = await Promise.all([storeObject().counterSeries(), store.queueStats()]);
      const oldest = stats.oldest_pending_at;
      const gauges = { depth: stats.depth, oldestPendingSeconds: oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000), deadLetters: stats.dead_letters };
      return { contentType: TEXT_CONTENT_TYPE, text: renderText(new Map(series.map((entry) => [entry.series, entry.value])), gauges) };
    },
    ui: { runtime: 'worker', rules: ruleSet.rules.map(ruleSummary), budget: engine.budget },
    deadLetters: {
      list: () => store.deadLetters(),
      async retry(id) {
        if (!(await store.reviveDeadLetter(id))) return false;
        // Stored again before it is queued: if the send fails, the cron trigger sends it later.
        await env.EVENTS.send({ type: 'event', id }).catch((error: unknown) =>
          log.error('could not queue a dead letter put back; the cron trigger sends it later', { event_id: id, error }),
        );
        return true;
      },
    },
  });
  if (config.dryRun) {
    log.warn(`dry-run mode (${config.dryRunReason}): events are matched and the API calls rulebot would make are logged, not sent`);
  }
  if (config.webhookSecrets.length === 0 && config.webhookSigningKeys.length === 0) {
    log.warn('neither GITLAB_WEBHOOK_SECRET nor GITLAB_WEBHOOK_SIGNING_KEY is set: webhooks are accepted from anyone');
  }
  for (const warning of configWarnings(config)) log.warn(warning);
  return { env, config, log, engine, store, upkeep, storeObject, app, ready, flushMetrics };
}

/**
 * The credential started in this isolate (the stored one, checked at most daily), and the bot's user
 * from KV when an isolate cached it, else from GitLab (`GET /user`), then cached.
 */
async function learnUser(env: Env, config: Config, engine: Engine, upkeep: Upkeep): Promise<void> {
  if (!config.gitlabCredential) return;
  // The configured credential names the bot's user: rotations and refreshes keep the same user.
  const key = `bot-user:${await fingerprint(`${config.gitlabUrl} ${config.gitlabCredential}`)}`;
  const cached = UserSchema.safeParse(await env.CACHE.get(key, 'json'));
  if (cached.success) {
    await upkeep.start();
    engine.setUser(cached.data);
    return;
  }
  await engine.init();
  const user = engine.user();
  if (user) await env.CACHE.put(key, JSON.stringify(user), { expirationTtl: USER_CACHE_SECONDS });
}

/** The cache key part for a token: a hash, so that KV never holds the token. */
async function fingerprint(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(digest.slice(0, 12), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Vars and secrets are strings; bindings (queue, store, KV) are not configuration. */
function stringVariables(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

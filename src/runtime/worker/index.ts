// The Cloudflare Workers entry: `fetch` acknowledges webhooks, `queue` runs them, `scheduled` starts due schedule rules.
import { env as startupEnv } from 'cloudflare:workers';
import rules from 'rulebot:rules';
import { ConfigError, RuleConfigError } from '../../errors.js';
import { RulebotStore } from './store-object.js';
import { consumeBatch } from './consume.js';
import { triggerSchedules } from './trigger.js';
import { workerFor, type Env } from './worker.js';

export { RulebotStore };
export type { Env };

// Assembled while the isolate starts, from the bindings it starts with: reading the configuration and
// the rules (some 15 ms of CPU) then counts towards the platform's start-up limit, not towards the CPU
// limit of the first request.
try {
  workerFor(startupEnv as Env, rules);
} catch {
  // A configuration error: each request assembles again, and answers with the error (setUpFailure).
}

export default {
  async fetch(request, env, ctx) {
    let worker;
    try {
      worker = workerFor(env, rules);
      // The bot's user must be known before an event is accepted: its own events are ignored (no loops).
      // Readiness includes it.
      const path = new URL(request.url).pathname;
      if (path === '/webhooks/gitlab' || path === '/readyz') await worker.ready();
    } catch (error) {
      return setUpFailure(error);
    }
    const response = await worker.app.fetch(request, env, ctx);
    // What this request counted goes to the store object after the answer.
    ctx.waitUntil(worker.flushMetrics());
    return response;
  },

  async queue(batch, env) {
    const worker = workerFor(env, rules);
    try {
      await consumeBatch(worker, batch);
    } finally {
      await worker.flushMetrics();
    }
  },

  async scheduled(controller, env) {
    const worker = workerFor(env, rules);
    try {
      await worker.ready();
      await triggerSchedules(worker, controller.scheduledTime);
      // Every 5 minutes: the webhook GitLab may have disabled; daily, the token.
      await worker.upkeep.tick();
    } finally {
      await worker.flushMetrics();
    }
  },
} satisfies ExportedHandler<Env>;

/** A Worker that cannot start answers every request saying why, as the Node process would refuse to start. */
function setUpFailure(error: unknown): Response {
  if (error instanceof ConfigError || error instanceof RuleConfigError) {
    console.error(`rulebot cannot start: ${error.message}`);
    return Response.json({ error: `rulebot cannot start: ${error.message}`, code: 'not_configured' }, { status: 500 });
  }
  console.error(`rulebot cannot reach GitLab: ${error instanceof Error ? error.message : String(error)}`);
  return Response.json(
    { error: 'rulebot cannot reach GitLab to learn its own user; send the event again shortly', code: 'gitlab_unavailable' },
    { status: 503, headers: { 'retry-after': '60' } },
  );
}

// The HTTP application: routes, and the one place where errors become answers.
import { Hono } from 'hono';
import { RulebotError } from './errors.js';
import type { Logger } from './log.js';
import { createWebhookHandler, type WebhookDeps } from './webhook/handler.js';
import { createBearerVerifier } from './webhook/verify-token.js';

export interface AppDeps extends WebhookDeps {
  log: Logger;
  /** `GET /status` and `GET /readyz`. */
  health?: {
    status(): Promise<object>;
    ready(): Promise<{ ready: boolean; checks: object }>;
  };
}

/**
 * Builds the Hono app, shared by every runtime.
 *
 * @example
 * const app = createApp({
 *   secrets: ['webhook-secret'], signingKeys: ['whsec_…'], maxBodyBytes, store,
 *   enqueue: (job) => queue.push(job), botUserId: () => bot.id, log,
 * });
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  const health = deps.health;
  if (health) {
    // Liveness and readiness say only yes or no; the status shows queue figures and GitLab's last
    // error, so it takes the webhook's secret when one is configured.
    const credentials = [...deps.secrets, ...deps.signingKeys];
    const authorize = credentials.length > 0 ? createBearerVerifier(credentials) : undefined;
    app.get('/status', async (c) => {
      authorize?.(c.req.header('authorization'));
      return c.json(await health.status());
    });
    app.get('/readyz', async (c) => {
      const { ready, checks } = await health.ready();
      return c.json({ status: ready ? 'ready' : 'not ready', checks }, ready ? 200 : 503);
    });
  }
  app.post('/webhooks/gitlab', createWebhookHandler(deps));

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}`, code: 'not_found' }, 404));
  app.onError((error, c) => {
    if (error instanceof RulebotError) {
      // Messages name what was wrong, never a received token, signature or query value.
      deps.log.warn('request refused', { code: error.code, status: error.status, error: error.message });
      return c.json({ error: error.message, code: error.code }, error.status as 400);
    }
    deps.log.error('request failed', { error });
    return c.json({ error: 'internal error; see the rulebot log', code: 'internal_error' }, 500);
  });
  return app;
}

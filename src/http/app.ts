// The HTTP application: routes, and the one place where errors become answers.
import { Hono } from 'hono';
import { RulebotError } from '../errors.js';
import type { Logger } from '../log.js';
import type { DeadLetter } from '../store/index.js';
import { createWebhookHandler, type WebhookDeps } from './webhook.js';
import { createBearerVerifier } from './verify-token.js';

export interface AppDeps extends WebhookDeps {
  log: Logger;
  /** `GET /status` and `GET /readyz`. */
  health?: {
    status(): Promise<object>;
    ready(): Promise<{ ready: boolean; checks: object }>;
  };
  /** `GET /dead-letters` and `POST /dead-letters/:id/retry`, for the people who run rulebot. */
  deadLetters?: {
    list(): Promise<DeadLetter[]>;
    /** Puts a dead letter back in the queue; false when there is none with that id. */
    retry(id: string): Promise<boolean>;
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
  // Liveness and readiness say only yes or no; the status and the dead letters show queue figures,
  // GitLab's errors and events, so they take the webhook's secret when one is configured.
  const credentials = [...deps.secrets, ...deps.signingKeys];
  const authorize = credentials.length > 0 ? createBearerVerifier(credentials) : undefined;
  const health = deps.health;
  if (health) {
    app.get('/status', async (c) => {
      authorize?.(c.req.header('authorization'));
      return c.json(await health.status());
    });
    app.get('/readyz', async (c) => {
      const { ready, checks } = await health.ready();
      return c.json({ status: ready ? 'ready' : 'not ready', checks }, ready ? 200 : 503);
    });
  }
  const deadLetters = deps.deadLetters;
  if (deadLetters) {
    app.get('/dead-letters', async (c) => {
      authorize?.(c.req.header('authorization'));
      const letters = await deadLetters.list();
      return c.json({
        dead_letters: letters.map(({ job, reason, failed_at }) => ({
          id: job.id,
          project_id: job.project_id,
          event_uuid: job.event_uuid ?? null,
          received_at: new Date(job.received_at).toISOString(),
          failed_at: new Date(failed_at).toISOString(),
          attempts: job.attempts,
          reason,
        })),
      });
    });
    app.post('/dead-letters/:id/retry', async (c) => {
      authorize?.(c.req.header('authorization'));
      const id = c.req.param('id');
      if (!(await deadLetters.retry(id))) {
        const error = `no dead letter with id ${JSON.stringify(id)} to put back (none by that id, or an event with that id is queued now); GET /dead-letters lists them`;
        return c.json({ error, code: 'not_found' }, 404);
      }
      return c.json({ status: 'queued', event_id: id }, 202);
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

// The HTTP application: routes, and the one place where errors become answers.
import { Hono, type Context } from 'hono';
import { RulebotError } from '../errors.js';
import type { Logger } from '../log.js';
import { noMetrics, webhookKind, type Metrics } from '../metrics/index.js';
import type { DeadLetter } from '../store/index.js';
import { deliveryRecord } from './delivery-record.js';
import { mountEventsApi } from './events-api.js';
import { mountMetrics, type MetricsText } from './metrics-route.js';
import { operatorCheck } from './operator-auth.js';
import { mountUi, type UiDeps } from './ui/routes.js';
import { createWebhookHandler, type Delivery, type WebhookDeps } from './webhook.js';

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
  /** Where deliveries are counted (outcomes are counted by the store's wrapper, see metrics/count-outcomes.ts). */
  metrics?: Metrics;
  /** UI_TOKEN's values: they open the page, the API, the metrics and the status, like the webhook's secrets. */
  uiTokens?: readonly string[];
  /** `GET /metrics`: Prometheus's text format. */
  metricsText?: () => Promise<MetricsText>;
  /** `/metrics` without a bearer token (METRICS_PUBLIC). */
  metricsPublic?: boolean;
  /** The page at `/ui`: what it shows besides the store. */
  ui?: Pick<UiDeps, 'runtime' | 'rules' | 'budget'>;
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
  const credentials = [...deps.secrets, ...deps.signingKeys, ...(deps.uiTokens ?? [])];
  const authorize = operatorCheck(credentials);
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
  const metrics = deps.metrics ?? noMetrics;
  const webhook = createWebhookHandler({
    ...deps,
    onDelivery: (delivery, c) => delivered(delivery, c),
    onRefused: (code, c) => metrics.webhook(webhookKind(c.req.header('x-gitlab-event')), code),
  });
  app.post('/webhooks/gitlab', webhook);
  /** Counts an authentic delivery, and records one rulebot will not act on, after answering. */
  const delivered = (delivery: Delivery, c: Context) => {
    metrics.webhook(webhookKind(delivery.hook), delivery.status);
    const record = deliveryRecord(delivery);
    if (!record) return;
    const written = deps.store.recordDecision(record, { firstAttempt: true }).catch((error: unknown) => deps.log.warn('decision record not stored', { error }));
    inBackground(c, written);
  };

  mountEventsApi(app, deps.store, authorize);
  if (deps.metricsText) mountMetrics(app, deps.metricsText, deps.metricsPublic ? undefined : authorize);
  if (deps.ui) {
    mountUi(app, {
      ...deps.ui,
      store: deps.store,
      credentials,
      log: deps.log,
      ...(deps.now && { now: deps.now }),
      ...(deps.health && { ready: deps.health.ready }),
      ...(deps.deadLetters && { deadLetters: deps.deadLetters }),
    });
  }

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

/**
 * Lets `work` finish after the answer: on Workers the invocation waits for it (`waitUntil`); on Node a
 * promise runs on by itself.
 */
export function inBackground(c: Context, work: Promise<unknown>): void {
  let context: { waitUntil(promise: Promise<unknown>): void } | undefined;
  try {
    context = c.executionCtx;
  } catch {
    // Node: Hono has no execution context there.
  }
  context?.waitUntil(work);
}

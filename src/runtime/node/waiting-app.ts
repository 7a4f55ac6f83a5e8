// What a process waiting for DATA_DIR answers: alive, not ready, and no delivery accepted.
import { Hono } from 'hono';

/**
 * While another process holds DATA_DIR this one serves no events, since it may not store them. It
 * listens all the same, so that a liveness check (the Docker image's HEALTHCHECK on `/healthz`)
 * sees it alive and an orchestrator that starts the new instance before stopping the old one goes
 * on to stop the old one, which this one then takes over from; `/readyz` answers 503, so that a
 * readiness check keeps traffic away from it. A delivery that reaches it anyway is answered 503
 * with Retry-After, as during shutdown: GitLab records a failed delivery that can be sent again,
 * where a 2xx would acknowledge an event nobody stored. Who holds DATA_DIR is only logged: these
 * endpoints answer anyone.
 */
export function createWaitingApp(): Hono {
  const app = new Hono();
  const reason = 'DATA_DIR is in use by another rulebot process; waiting for it to stop';
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => c.json({ status: 'not ready', checks: { data_dir: reason } }, 503));
  app.all('*', (c) => c.json({ error: `${reason}; send the event again shortly`, code: 'waiting_for_data_dir' }, 503, { 'retry-after': '30' }));
  return app;
}

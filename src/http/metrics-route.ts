// GET /metrics: Prometheus's text format, behind the operator token unless METRICS_PUBLIC is set.
import type { Hono } from 'hono';

export interface MetricsText {
  contentType: string;
  text: string;
}

export function mountMetrics(app: Hono, render: () => Promise<MetricsText>, authorize: ((authorization: string | undefined) => void) | undefined): void {
  app.get('/metrics', async (c) => {
    authorize?.(c.req.header('authorization'));
    const { contentType, text } = await render();
    return c.body(text, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
  });
}

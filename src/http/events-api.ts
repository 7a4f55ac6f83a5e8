// GET /api/events and GET /api/events/:id: decision records as JSON, for scripts, `rulebot explain` and dashboards.
import type { Hono } from 'hono';
import type { Store } from '../store/index.js';
import { readEventQuery } from './event-query.js';

/**
 * Newest first, `{events, next_before}`; pass `next_before` back as `before` for the next page. The
 * record's shape is documented in docs/decision-records.md and kept stable.
 */
export function mountEventsApi(app: Hono, store: Store, authorize: ((authorization: string | undefined) => void) | undefined): void {
  app.get('/api/events', async (c) => {
    authorize?.(c.req.header('authorization'));
    const query = readEventQuery(c.req.query());
    if ('error' in query) return c.json({ error: `invalid query: ${query.error}`, code: 'invalid_query' }, 400);
    const page = await store.decisions(query);
    return c.json({ events: page.records, next_before: page.next_before });
  });
  app.get('/api/events/:id', async (c) => {
    authorize?.(c.req.header('authorization'));
    const record = await store.decision(c.req.param('id'));
    if (!record) return c.json({ error: 'no decision record with this id (never received, or older than DECISIONS_RETENTION_DAYS)', code: 'not_found' }, 404);
    return c.json(record);
  });
}

// A reference target: the least a Hono app on @hono/node-server does per webhook (read the body, parse it, answer 202).
// Between the bare node:http ceiling and rulebot, it shows how much of the gap is the framework's and how much rulebot's.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';

export interface HonoFloorServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the Hono reference app on a free loopback port. */
export async function startHonoFloor(): Promise<HonoFloorServer> {
  const app = new Hono();
  app.post('/webhooks/gitlab', async (c) => {
    // `arrayBuffer()` is @hono/node-server's fast path: no web ReadableStream is built for the body.
    const payload: unknown = JSON.parse(new TextDecoder().decode(await c.req.arrayBuffer()));
    const kind = typeof payload === 'object' && payload !== null && 'object_kind' in payload ? payload.object_kind : undefined;
    return c.json({ status: 'accepted', event_id: c.req.header('idempotency-key'), object_kind: kind }, 202);
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    started.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/gitlab`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

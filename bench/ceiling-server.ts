// The ceiling: a bare node:http server doing the least any webhook receiver must do (read the body, parse it, answer 202).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CeilingServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the ceiling server on a free loopback port. */
export async function startCeiling(): Promise<CeilingServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let status = 202;
      let answer: string;
      try {
        const payload: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const kind = typeof payload === 'object' && payload !== null && 'object_kind' in payload ? payload.object_kind : undefined;
        answer = JSON.stringify({ status: 'accepted', event_id: req.headers['idempotency-key'], object_kind: kind });
      } catch {
        status = 400;
        answer = JSON.stringify({ error: 'body is not valid JSON' });
      }
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/gitlab`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

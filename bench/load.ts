// Load-generator child process: drives one target with autocannon and prints a LoadSummary as one JSON line.
// Run by load-client.ts, so that the load generator does not share an event loop with the servers it measures.
import autocannon from 'autocannon';
import { readFile } from 'node:fs/promises';
import { LoadRequestSchema, type LoadRequest, type LoadSummary } from './load-protocol.js';
import { latencySummary } from './stats.js';

async function generateLoad(request: LoadRequest, body: Buffer): Promise<LoadSummary> {
  // A distinct delivery key per request: the bot remembers keys and answers repeats with 200 "duplicate".
  let sequence = 0;
  const times: number[] = [];
  const instance = autocannon({
    url: request.url,
    method: 'POST',
    connections: request.connections,
    duration: request.durationS,
    ...(request.warmupS > 0 && { warmup: { connections: request.connections, duration: request.warmupS } }),
    requests: [
      {
        method: 'POST',
        body,
        headers: request.headers,
        setupRequest: (params) => ({ ...params, headers: { ...params.headers, [request.keyHeader]: `${request.keyPrefix}-${++sequence}` } }),
      },
    ],
  });
  // Emitted for the measured run only: the warm-up reports to a tracker of its own.
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    if (statusCode >= 200 && statusCode < 300) times.push(responseTimeMs);
  });
  const result = await instance;
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  return {
    durationS: result.duration,
    requests: result.requests.total,
    warmupRequests: result.warmup?.requests.total ?? 0,
    requestsPerSecond: result.duration > 0 ? result.requests.total / result.duration : 0,
    latencyMs: latencySummary(times),
    statusCodes,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

const request = LoadRequestSchema.parse(JSON.parse(process.argv[2] ?? 'null'));
const summary = await generateLoad(request, await readFile(request.bodyFile));
process.stdout.write(`${JSON.stringify(summary)}\n`);

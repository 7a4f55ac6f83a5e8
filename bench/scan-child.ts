// Child process of the scan benchmark: the real rulebot server, running one schedule rule when the parent says go.
// Bundled into plain JavaScript by scan-build.ts (with the flags of `npm run build`) and forked by scan-client.ts without
// tsx, as `npm start` runs rulebot. A process of its own, so that its memory is rulebot's alone: the fake GitLab and its
// 10,000 merge requests stay in the parent.
import { createLogger, type Logger } from '../src/log.js';
import { startServer } from '../src/runtime/node/server.js';
import { ScanChildRequestSchema, ScanGoSchema, type ScanChildMessage, type ScanMemory } from './scan-protocol.js';

const send = (message: ScanChildMessage) => process.send!(message);

/** Keeps rulebot's warnings and errors (counted, the first few kept) out of the benchmark's output. */
function countingLogger(logged: { count: number; first: string[] }): Logger {
  return createLogger({
    level: 'warn',
    write: (line) => {
      logged.count++;
      if (logged.first.length < 5) logged.first.push(line);
    },
  });
}

/** Samples RSS and heap every `everyMs` until stopped; the kernel's high-water mark catches what falls between samples. */
function sampleMemory(everyMs: number): () => ScanMemory {
  const before = process.memoryUsage();
  const maxRssBeforeBytes = process.resourceUsage().maxRSS * 1024;
  const memory = { rssBeforeBytes: before.rss, maxRssBeforeBytes, rssPeakBytes: before.rss, heapUsedPeakBytes: before.heapUsed, samples: 1 };
  const sample = () => {
    const usage = process.memoryUsage();
    memory.rssPeakBytes = Math.max(memory.rssPeakBytes, usage.rss);
    memory.heapUsedPeakBytes = Math.max(memory.heapUsedPeakBytes, usage.heapUsed);
    memory.samples++;
  };
  const timer = setInterval(sample, everyMs);
  return () => {
    clearInterval(timer);
    sample();
    return { ...memory, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
  };
}

const request = ScanChildRequestSchema.parse(JSON.parse(process.argv[2] ?? 'null'));
const logged = { count: 0, first: [] as string[] };
const server = await startServer({ env: request.env, log: countingLogger(logged) });
// The scan runs through runSchedule below, never through the cron.
server.bot.scheduler.stop();
const rule = server.bot.ruleSet.find(request.rule);
if (!rule) throw new Error(`scan-child: no rule named "${request.rule}" in ${request.env['RULES_DIR']}`);
logged.count = 0;
logged.first.length = 0;

process.once('message', async (message) => {
  ScanGoSchema.parse(message);
  const stopSampling = sampleMemory(request.sampleMs);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const report = await server.bot.runSchedule(rule);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const memory = stopSampling();
  const { scanned, matched, acted, api_calls, stopped_at_limit, duration_ms } = report;
  const errors = report.errors.map((error) => (error.item ? `${error.item}: ${error.message}` : error.message));
  send({
    type: 'done',
    report: { scanned, matched, acted, api_calls, stopped_at_limit, duration_ms, errors: { count: errors.length, first: errors.slice(0, 5) } },
    memory,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    logged,
  });
  await server.close(1_000);
  process.disconnect();
});
send({ type: 'ready', execArgv: process.execArgv, ...(process.env['NODE_OPTIONS'] !== undefined && { nodeOptions: process.env['NODE_OPTIONS'] }) });

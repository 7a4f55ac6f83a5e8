// Rulebot as a benchmark target: the real Node server, started in-process with bench/rules, counting processed events.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, type Logger } from '../src/log.js';
import { startServer, type RunningServer } from '../src/runtime/node/server.js';
import { SqliteStore } from '../src/runtime/node/sqlite-store.js';

export const WEBHOOK_SECRET = 'bench-secret';
const RULES_DIR = fileURLToPath(new URL('./rules', import.meta.url));

export interface SettleReport {
  /** Events accepted but not yet processed when the load stopped. */
  backlog: number;
  /** Time from the end of the load until the queue was empty. */
  drainMs: number;
  /** Events processed since the previous settle. */
  processed: number;
  /** Rules matched per processed event (min and max over those events). */
  matchedPerEvent: { min: number; max: number };
  /** Events whose processing failed (logged by the queue as "event failed"). */
  failed: number;
}

export interface RulebotTarget {
  url: string;
  server: RunningServer;
  /** Waits for the queue to drain and reports on the events processed since the last call. */
  settle(): Promise<SettleReport>;
  close(): Promise<void>;
}

export interface RulebotTargetOptions {
  /**
   * False: the store's `recordDecision` does nothing, so no decision record is stored (they are still
   * built, counted and handed to the store). The benchmark's own set-up, for the figure "what recording
   * costs the ingest": no setting of rulebot turns records off.
   */
  records?: boolean;
}

/** Starts rulebot in dry-run mode (no GITLAB_TOKEN): matching and planning run, nothing is sent. */
export async function startRulebot(options: RulebotTargetOptions = {}): Promise<RulebotTarget> {
  const counts = { processed: 0, failed: 0, minMatched: Infinity, maxMatched: 0 };
  // Silent, but for the queue's "event failed" lines, which are counted so that the report can show them.
  const log: Logger = {
    ...silentLogger,
    error: (msg) => {
      if (msg === 'event failed') counts.failed++;
    },
    child: () => log,
  };
  // The store keeps every accepted event on disk: a fresh directory per run, not ./data, which would grow
  // by the payload of every request and hand the next run this one's leftovers.
  const dataDir = await mkdtemp(join(tmpdir(), 'rulebot-bench-ingest-'));
  const server = await startServer({
    env: { PORT: '0', HOST: '127.0.0.1', RULES_DIR, DATA_DIR: dataDir, GITLAB_WEBHOOK_SECRET: WEBHOOK_SECRET, DRY_RUN: '1', LOG_LEVEL: 'error' },
    log,
    ...(options.records === false && {
      openStore: (dir, storeOptions) => {
        const store = new SqliteStore(dir, storeOptions);
        store.recordDecision = async () => {};
        return store;
      },
    }),
    bot: {
      onProcessed: (_job, outcome) => {
        counts.processed++;
        counts.minMatched = Math.min(counts.minMatched, outcome.matched.length);
        counts.maxMatched = Math.max(counts.maxMatched, outcome.matched.length);
      },
    },
  });
  return {
    url: `${server.url}/webhooks/gitlab`,
    server,
    async settle() {
      const backlog = server.bot.queue.size;
      const started = performance.now();
      await server.bot.queue.onIdle();
      const report: SettleReport = {
        backlog,
        drainMs: performance.now() - started,
        processed: counts.processed,
        matchedPerEvent: { min: counts.processed > 0 ? counts.minMatched : 0, max: counts.maxMatched },
        failed: counts.failed,
      };
      Object.assign(counts, { processed: 0, failed: 0, minMatched: Infinity, maxMatched: 0 });
      return report;
    },
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

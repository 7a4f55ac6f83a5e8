// The cron trigger: starts every schedule rule that is due, and sends again accepted events whose queue message was lost.
import { dueRules } from '../../schedule/scheduler.js';
import type { QueueMessage } from './messages.js';
import type { Worker } from './worker.js';

/** A rule that never ran is due if its cron fired within this long before the first trigger that sees it. */
const FIRST_TRIGGER_LOOKBACK_MS = 5 * 60_000;
/** An event still waiting this long after its attempt was due has no queue message any more. */
const OVERDUE_AFTER_MS = 15 * 60_000;

/**
 * Runs at every cron trigger (wrangler.toml, every 5 minutes). A rule is due when its own cron
 * fired since its last run; each run goes on the queue as its first step, so a scan of any size
 * continues over as many invocations as it needs. A rule whose previous run is still going is skipped.
 */
export async function triggerSchedules(worker: Worker, at: number): Promise<void> {
  const { engine, store, storeObject, env, log } = worker;
  const previous = await storeObject().swapTriggerTime(at);
  const since = previous !== undefined && previous < at ? previous : at - FIRST_TRIGGER_LOOKBACK_MS;
  const starts: QueueMessage[] = [];
  for (const { rule } of await dueRules(engine.rules.rules, store, at, since)) {
    if (!(await storeObject().startScan(rule.name, at, Date.now()))) {
      log.warn('schedule: previous run still going, skipped', { rule: rule.name });
      continue;
    }
    starts.push({ type: 'scan', rule: rule.name, started_at: at, step: 1, totals: { scanned: 0, matched: 0, acted: 0, api_calls: 0, errors: 0 } });
    log.info('schedule: run started', { rule: rule.name, at: new Date(at).toISOString() });
  }
  const overdue = await storeObject().overdueJobIds(Date.now() - OVERDUE_AFTER_MS);
  if (overdue.length > 0) log.warn('events without a queue message sent again', { count: overdue.length });
  const messages = [...starts, ...overdue.map((id): QueueMessage => ({ type: 'event', id }))];
  // sendBatch takes at most 100 messages.
  for (let i = 0; i < messages.length; i += 100) await env.EVENTS.sendBatch(messages.slice(i, i + 100).map((body) => ({ body })));
}

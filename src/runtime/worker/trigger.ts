// The cron trigger: starts every schedule rule that is due, and sends again what lost its queue message.
import { dueRules } from '../../schedule/due-rules.js';
import type { QueueMessage } from './messages.js';
import type { Worker } from './worker.js';

/** A rule that never ran is due if its cron fired within this long before the first trigger that sees it. */
const FIRST_TRIGGER_LOOKBACK_MS = 5 * 60_000;
/** An event still waiting this long after its attempt was due, or a run not moving for this long, lost its message. */
const LOST_AFTER_MS = 15 * 60_000;
/** Events sent again per trigger, at most: a backlog is worked off over several triggers. */
const RESEND_MAX = 500;

/**
 * Runs at every cron trigger (wrangler.toml, every 5 minutes). A rule is due when its own cron
 * fired since its last run; each run goes on the queue as its first step, so a scan of any size
 * continues over as many invocations as it needs. A rule whose previous run is still going is skipped.
 */
export async function triggerSchedules(worker: Worker, at: number): Promise<void> {
  const { engine, store, storeObject, env, log } = worker;
  const previousTrigger = await storeObject().swapTriggerTime(at);
  const since = previousTrigger !== undefined && previousTrigger < at ? previousTrigger : at - FIRST_TRIGGER_LOOKBACK_MS;
  // The rule files' schedule rules, and those of presets and of projects whose rules are kept.
  const rules = [...engine.rules.rules, ...(await engine.dynamicScheduleRules())];
  for (const { rule } of await dueRules(rules, store, at, since)) {
    const started = await storeObject().startScan(rule.key, at, Date.now());
    if (!started) {
      log.warn('schedule: previous run still going, skipped', { rule: rule.key });
      continue;
    }
    try {
      await env.EVENTS.send({ type: 'scan', rule: rule.key, started_at: at, step: 1 });
    } catch (error) {
      // Not queued: undo the start, so that the next trigger starts the rule again.
      await storeObject().cancelScan(rule.key, at, started.previous ?? since);
      log.error('schedule: could not queue the run; the next trigger starts it', { rule: rule.key, error });
      continue;
    }
    log.info('schedule: run started', { rule: rule.key, at: new Date(at).toISOString() });
  }

  const now = Date.now();
  const lost: QueueMessage[] = [
    ...(await storeObject().claimOverdue(now - LOST_AFTER_MS, now, RESEND_MAX)).map((id): QueueMessage => ({ type: 'event', id })),
    ...(await storeObject().idleScans(now, LOST_AFTER_MS)).map((scan): QueueMessage => ({ type: 'scan', ...scan })),
  ];
  if (lost.length === 0) return;
  log.warn('events and scan steps without a queue message sent again', { count: lost.length });
  // sendBatch takes at most 100 messages.
  for (let i = 0; i < lost.length; i += 100) await env.EVENTS.sendBatch(lost.slice(i, i + 100).map((body) => ({ body })));
}

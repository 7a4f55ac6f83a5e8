// The queue consumer: runs accepted events with retries through the platform, continues scans step by step, records dead letters.
import { failureVerdict, restoreJob } from '../../actions/event-queue.js';
import { readMessage, type EventMessage, type QueueMessage, type ScanMessage } from './messages.js';
import type { Worker } from './worker.js';

/** The dead-letter queue's name, as in wrangler.toml; a batch from it records its messages as failed for good. */
const DEAD_LETTER_QUEUE = /-dead-letters$/;

/**
 * Messages of a batch run one after another, in the order the queue delivered them. Each message is
 * acknowledged or retried on its own, so one failing event does not send its batch-mates round again.
 * Anything unexpected (a message no deployment could have sent, the store unreachable) is retried by
 * the platform and, after `max_retries`, lands in the dead-letter queue.
 */
export async function consumeBatch(worker: Worker, batch: MessageBatch<unknown>): Promise<void> {
  await worker.ready();
  const deadLetters = DEAD_LETTER_QUEUE.test(batch.queue);
  for (const message of batch.messages) {
    const body = readMessage(message.body);
    try {
      if (!body) throw new Error(`not a rulebot queue message: ${JSON.stringify(message.body)?.slice(0, 200)}`);
      if (deadLetters) await recordDeadLetter(worker, body);
      else if (body.type === 'event') await runEvent(worker, body, message);
      else await runScanStep(worker, body);
      message.ack();
    } catch (error) {
      if (deadLetters) {
        // Nothing comes after the dead-letter queue: say what is dropped, loudly, and let it go.
        worker.log.error('a message in the dead-letter queue cannot be recorded; dropped', { message: message.body, error });
        message.ack();
      } else {
        worker.log.error('queue message failed; the queue delivers it again', { message_id: message.id, attempts: message.attempts, error });
        message.retry();
      }
    }
  }
}

async function runEvent(worker: Worker, body: EventMessage, message: Message<unknown>): Promise<void> {
  const { store, engine, log, config } = worker;
  const stored = await store.job(body.id);
  // Finished already: the queue delivers at least once, so a message can come twice.
  if (!stored) return;
  const job = await restoreJob(stored, store, log);
  if (!job) return;
  try {
    await engine.runEvent({ id: job.id, event: job.event, eventUuid: job.eventUuid, retrying: stored.attempts > 0 || message.attempts > 1 });
  } catch (error) {
    const now = Date.now();
    const verdict = failureVerdict(error, stored, config.retry, now);
    if ('deadLetter' in verdict) {
      await store.deadLetter(job.id, verdict.deadLetter);
      log.error('event failed for good; kept as a dead letter', { event_id: job.id, reason: verdict.deadLetter });
      return;
    }
    await store.retryJobLater(job.id, now + verdict.delay, verdict.message);
    log.warn('event failed; will retry', { event_id: job.id, attempt: stored.attempts + 1, retry_in_ms: verdict.delay, error: verdict.message });
    // `ack` after `retry` is ignored: the retry below is what happens to this message.
    message.retry({ delaySeconds: Math.ceil(verdict.delay / 1000) });
    return;
  }
  await store.finishJob(job.id);
}

/** One step of a schedule run: up to SCAN_STEP_ITEMS items, then the next step goes on the queue. */
async function runScanStep(worker: Worker, body: ScanMessage): Promise<void> {
  const { engine, log, config, storeObject, env } = worker;
  const rule = engine.rules.find(body.rule);
  if (!rule?.schedule) {
    log.warn('schedule: the rule of a queued scan is gone (a newer deployment); run dropped', { rule: body.rule });
    await storeObject().finishScan(body.rule);
    return;
  }
  const report = await engine.runSchedule(rule, {
    startedAt: body.started_at,
    maxItems: config.scanStepItems,
    actedBefore: body.totals.acted,
    ...(body.from && { from: body.from }),
  });
  const totals = {
    scanned: body.totals.scanned + report.scanned,
    matched: body.totals.matched + report.matched,
    acted: body.totals.acted + report.acted,
    api_calls: body.totals.api_calls + report.api_calls,
    errors: body.totals.errors + report.errors.length,
  };
  for (const error of report.errors) log.warn('schedule: item not handled', { rule: rule.name, ...error });
  const limit = rule.schedule.limit ?? Number.POSITIVE_INFINITY;
  if (report.next && totals.acted < limit) {
    const next: QueueMessage = { ...body, step: body.step + 1, from: report.next, totals };
    await env.EVENTS.send(next);
    await storeObject().continueScan(rule.name, Date.now());
    log.debug('schedule: step done, next one queued', { rule: rule.name, step: body.step, ...totals });
    return;
  }
  await storeObject().finishScan(rule.name);
  log.info('schedule: run finished', {
    rule: rule.name,
    ...totals,
    steps: body.step,
    stopped_at_limit: report.stopped_at_limit || totals.acted >= limit,
    duration_ms: Date.now() - body.started_at,
  });
}

/**
 * A message the queue gave up on after `max_retries` deliveries. An event becomes a dead letter with
 * its last error (as on Node: `GET /status` counts it); a scan's run is ended so that the next
 * trigger can start the rule again.
 */
async function recordDeadLetter(worker: Worker, body: QueueMessage): Promise<void> {
  const { store, storeObject, log } = worker;
  if (body.type === 'scan') {
    await storeObject().finishScan(body.rule);
    log.error('schedule: a step failed on every delivery; the run is ended', { rule: body.rule, step: body.step });
    return;
  }
  const stored = await store.job(body.id);
  if (!stored) return;
  const reason = `the queue gave up after its retries; last error: ${stored.last_error ?? 'none recorded (the consumer failed before GitLab answered)'}`;
  await store.deadLetter(body.id, reason);
  log.error('event failed for good; kept as a dead letter', { event_id: body.id, reason });
}

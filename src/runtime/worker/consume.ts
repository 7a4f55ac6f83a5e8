// The queue consumer: runs accepted events with retries through the platform, continues scans step by step, records dead letters.
import { boundText } from '../../bounded-text.js';
import { failureVerdict, restoreJob } from '../../queue/index.js';
import { readMessage, type EventMessage, type QueueMessage, type ScanMessage } from './messages.js';
import type { Worker } from './worker.js';
import { eventLogFields } from '../../event/log-fields.js';

/**
 * How long one delivery may hold an event or a scan step (a queue consumer's wall-clock limit): a
 * second delivery meanwhile waits instead of running it at the same time.
 */
export const LEASE_MS = 15 * 60_000;
/** A Cloudflare Queue delays a message by at most 12 hours. */
const MAX_DELAY_SECONDS = 43_200;

type Outcome = 'ack' | { retryInMs: number } | 'retry';

/**
 * Messages of a batch run one after another, in the order the queue delivered them. Each message is
 * acknowledged or retried on its own, so one failing event does not send its batch-mates round again.
 * Anything unexpected (a message no deployment could have sent, the store unreachable) is retried by
 * the platform and, after `max_retries`, lands in the dead-letter queue.
 */
export async function consumeBatch(worker: Worker, batch: MessageBatch<unknown>): Promise<void> {
  if (batch.queue === worker.config.deadLetterQueue) return recordDeadLetters(worker, batch);
  try {
    await worker.ready();
  } catch (error) {
    // A new isolate could not learn the bot's user (GitLab unreachable): nothing can run safely yet.
    worker.log.error('cannot run queued messages before GitLab names the bot user; retrying the batch in a minute', { error });
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  for (const message of batch.messages) {
    let outcome: Outcome;
    try {
      const body = readMessage(message.body);
      if (!body) throw new Error(`not a rulebot queue message: ${JSON.stringify(message.body)?.slice(0, 200)}`);
      outcome = body.type === 'event' ? await runEvent(worker, body) : await runScanStep(worker, body);
    } catch (error) {
      worker.log.error('queue message failed; the queue delivers it again', { message_id: message.id, attempts: message.attempts, error });
      outcome = 'retry';
    }
    if (outcome === 'ack') message.ack();
    else if (outcome === 'retry') message.retry();
    else message.retry({ delaySeconds: Math.min(MAX_DELAY_SECONDS, Math.ceil(outcome.retryInMs / 1000)) });
  }
}

async function runEvent(worker: Worker, body: EventMessage): Promise<Outcome> {
  const { store, engine, log, config, storeObject } = worker;
  const attempt = await storeObject().beginAttempt(body.id, Date.now(), LEASE_MS);
  // Finished already: the queue delivers at least once, and the cron trigger may have sent it again.
  if (attempt.state === 'gone') return 'ack';
  // Another delivery of this event runs now: this one waits for it to end instead of running beside it.
  if (attempt.state === 'busy') return { retryInMs: attempt.retryInMs };
  if (attempt.state === 'stuck') {
    const reason =
      `gave up after ${attempt.attempts} attempts: ${attempt.unended} of them began and never ended ` +
      '(the consumer was stopped: a CPU or time limit, or a crash)';
    await worker.store.deadLetter(body.id, reason, { attempts: attempt.attempts, first_attempt_at: attempt.first_attempt_at });
    log.error('event failed for good; kept as a dead letter', { event_id: body.id, reason });
    return 'ack';
  }
  // Attempts are counted where they begin, in the store object: one stopped by a limit counts too.
  const stored = { ...attempt.job, attempts: attempt.attempt - 1 };
  try {
    const job = await restoreJob(stored, store, log);
    if (!job) return 'ack';
    const jobLog = log.child(eventLogFields(job.id, job.event));
    try {
      await engine.runEvent({
        id: job.id, event: job.event, eventUuid: job.eventUuid, retrying: attempt.retrying, firstAttemptAt: stored.first_attempt_at, receivedAt: stored.received_at,
        // Judged with the longest back-off that could be drawn: when that wait would end the retries,
        // this attempt is taken as the last, so a person's command is answered rather than given up unanswered.
        givesUp: (error) => 'deadLetter' in failureVerdict(error, stored, config.retry, Date.now(), () => 1),
      });
    } catch (error) {
      const now = Date.now();
      const verdict = failureVerdict(error, stored, config.retry, now);
      if ('deadLetter' in verdict) {
        await store.deadLetter(job.id, verdict.deadLetter, { attempts: verdict.attempts, first_attempt_at: stored.first_attempt_at });
        jobLog.error('event failed for good; kept as a dead letter', { reason: verdict.deadLetter });
        return 'ack';
      }
      await store.retryJobLater(job.id, now + verdict.delay, verdict.message, stored.first_attempt_at ?? now);
      jobLog.warn('event failed; will retry', { attempt: attempt.attempt, retry_in_ms: verdict.delay, error: verdict.message });
      return { retryInMs: verdict.delay };
    }
    await store.finishJob(job.id);
    return 'ack';
  } catch (error) {
    // The store failed under the attempt: let the next delivery start at once rather than after the
    // lease, and do not count this attempt as one stopped by a limit.
    await storeObject().abandonAttempt(stored.id).catch(() => {});
    throw error;
  }
}

/** One step of a schedule run: up to SCAN_STEP_ITEMS items, then the next step goes on the queue. */
async function runScanStep(worker: Worker, body: ScanMessage): Promise<Outcome> {
  const { engine, log, config, storeObject, env } = worker;
  const claim = await storeObject().claimScanStep(body.rule, body.started_at, body.step, Date.now(), LEASE_MS);
  if (claim.state === 'gone') return 'ack';
  if (claim.state === 'busy') return { retryInMs: claim.retryInMs };
  if (claim.state === 'stuck') {
    log.error('schedule: a step was started and stopped repeatedly (a CPU or time limit?); the run is ended', { rule: body.rule, step: body.step, claims: claim.claims });
    return 'ack';
  }
  if (claim.state === 'done') {
    // This step completed but its successor may not have been queued: queue it (a duplicate is harmless).
    if (claim.resend !== undefined) await env.EVENTS.send({ ...body, step: claim.resend });
    return 'ack';
  }
  // Its key: a rule of the rule files, of a preset, or of a project's own file.
  const rule = await engine.scheduleRule(body.rule);
  if (!rule?.schedule) {
    log.warn('schedule: the rule of a queued scan is gone (a newer deployment); run dropped', { rule: body.rule });
    await storeObject().finishScan(body.rule, body.started_at, body.step);
    return 'ack';
  }
  let report;
  try {
    report = await engine.runSchedule(rule, {
      startedAt: body.started_at,
      maxItems: config.scanStepItems,
      actedBefore: claim.totals.acted,
      ...(claim.from && { from: claim.from }),
    });
  } catch (error) {
    await storeObject().releaseScanStep(body.rule, body.started_at, body.step).catch(() => {});
    throw error;
  }
  const before = claim.totals;
  const totals = {
    scanned: before.scanned + report.scanned,
    matched: before.matched + report.matched,
    acted: before.acted + report.acted,
    api_calls: before.api_calls + report.api_calls,
    errors: before.errors + report.errors.length,
  };
  for (const error of report.errors) log.warn('schedule: item not handled', { rule: rule.name, ...error });
  const limit = rule.schedule.limit ?? Number.POSITIVE_INFINITY;
  const next = report.next && totals.acted < limit ? report.next : null;
  if (!(await storeObject().completeScanStep(body.rule, body.started_at, body.step, totals, next, Date.now()))) {
    log.warn('schedule: another delivery of this step completed it first; this outcome is dropped', { rule: rule.name, step: body.step });
    return 'ack';
  }
  if (next) {
    // If this send fails, the message is retried, finds its step done, and sends the next one then.
    await env.EVENTS.send({ ...body, step: body.step + 1 });
    log.debug('schedule: step done, next one queued', { rule: rule.name, step: body.step, ...totals });
    return 'ack';
  }
  log.info('schedule: run finished', {
    rule: rule.name,
    ...totals,
    steps: body.step,
    stopped_at_limit: report.stopped_at_limit || totals.acted >= limit,
    duration_ms: Date.now() - body.started_at,
  });
  return 'ack';
}

/**
 * Messages the queue gave up on after `max_retries` deliveries. An event becomes a dead letter with
 * its last error (as on Node: `GET /status` counts it); a scan's run is ended so that the next
 * trigger can start the rule again. Needs only the store, not GitLab.
 */
async function recordDeadLetters(worker: Worker, batch: MessageBatch<unknown>): Promise<void> {
  const { storeObject, log } = worker;
  for (const message of batch.messages) {
    const body = readMessage(message.body);
    try {
      if (!body) throw new Error(`not a rulebot queue message: ${JSON.stringify(message.body)?.slice(0, 200)}`);
      await recordDeadLetter(body);
    } catch (error) {
      // Nothing comes after the dead-letter queue: say what is dropped, loudly, and let it go.
      log.error('a message in the dead-letter queue cannot be recorded; dropped', { message: message.body, error });
    }
    message.ack();
  }

  async function recordDeadLetter(body: QueueMessage): Promise<void> {
    if (body.type === 'scan') {
      await storeObject().finishScan(body.rule, body.started_at, body.step);
      log.error('schedule: a step failed on every delivery; the run is ended', { rule: body.rule, step: body.step });
      return;
    }
    const lastError = await storeObject().lastError(body.id);
    // Straight to the store object: the last error was cleaned when recorded, and the whole is cut again to 2 KB.
    const reason = boundText(`the queue gave up after its retries; last error: ${lastError ?? 'none recorded (the consumer failed before GitLab answered)'}`);
    // A delivery running the event now (a resend) decides its fate instead.
    if (!(await storeObject().deadLetterUnlessRunning(body.id, reason, Date.now()))) return;
    log.error('event failed for good; kept as a dead letter', { event_id: body.id, reason });
  }
}

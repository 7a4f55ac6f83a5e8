// Turns an event kept in the store back into a job either runtime can run.
import { normalizeEvent } from '../event/from-webhook.js';
import type { Logger } from '../log.js';
import type { Store, StoredJob } from '../store/index.js';
import type { Job } from './job.js';

/** The dead-letter reason of a payload rulebot cannot read: its code, then each field and its problem. */
export function unreadableReason(problem: string): string {
  return `unreadable_payload: ${problem}`;
}

/** Turns a stored job back into a runnable one; a payload that no longer reads is a dead letter. */
export async function restoreJob(stored: StoredJob, store: Store, log: Logger): Promise<Job | undefined> {
  try {
    const result = normalizeEvent(JSON.parse(stored.payload) as Record<string, unknown>);
    if ('event' in result) return { id: stored.id, event: result.event, eventUuid: stored.event_uuid, stored: { ...stored, payload: '' } };
    if ('unreadable' in result) {
      // Still unreadable (a dead letter put back before an upgrade that reads it): a dead letter again.
      const reason = unreadableReason(result.unreadable);
      await store.deadLetter(stored.id, reason, { attempts: stored.attempts, first_attempt_at: stored.first_attempt_at });
      log.error('stored event cannot be read; kept as a dead letter', { event_id: stored.id, reason });
      return undefined;
    }
    await store.finishJob(stored.id);
  } catch (error) {
    const reason = `stored event cannot be read: ${error instanceof Error ? error.message : String(error)}`;
    await store.deadLetter(stored.id, reason, { attempts: stored.attempts, first_attempt_at: stored.first_attempt_at });
    log.error('stored event cannot be read; kept as a dead letter', { event_id: stored.id });
  }
  return undefined;
}

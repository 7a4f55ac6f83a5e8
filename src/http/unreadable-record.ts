// The decision record of a delivery whose payload rulebot cannot read, kept as a dead letter on arrival.
import { bareRecord, type DecisionInput } from '../store/index.js';
import { projectOf } from './payload-project.js';

/**
 * The record of a delivery kept as a dead letter on arrival because its payload cannot be read: the
 * project as the payload names it (for `GET /api/events?project=` and the dead letters page), written
 * before the dead letter, which then sets its outcome and reason.
 */
export function unreadableRecord(input: { id: string; payload: Record<string, unknown>; reason: string; eventUuid: string | undefined; receivedAt: number }): DecisionInput {
  return bareRecord({
    id: input.id,
    event: 'unknown',
    event_uuid: input.eventUuid ?? null,
    project: projectOf(input.payload),
    subject: null,
    user: null,
    outcome: 'dead_letter',
    reason: input.reason,
    received_at: input.receivedAt,
    finished_at: input.receivedAt,
  });
}

// The decision record of a delivery rulebot did not act on: ignored (a kind it does not read, its own event) or a duplicate.
import { bareRecord, type DecisionInput } from '../store/index.js';
import { projectOf } from './payload-project.js';
import type { Delivery } from './webhook.js';

/** The record of an ignored or duplicate delivery; undefined for the others (the engine or the store records those). */
export function deliveryRecord(delivery: Delivery): DecisionInput | undefined {
  if (delivery.status !== 'ignored' && delivery.status !== 'duplicate') return undefined;
  const { event, payload } = delivery;
  const at = delivery.receivedAt;
  const project = event ? { id: event.project.id, path: event.project.path_with_namespace } : projectOf(payload);
  const subject = event?.subject;
  return bareRecord({
    // Its own id: a duplicate's event id is the original's, whose record this must not replace.
    id: `${delivery.status}:${crypto.randomUUID()}`,
    event: event?.names.at(-1) ?? (typeof payload['object_kind'] === 'string' ? payload['object_kind'].slice(0, 100) : 'unknown'),
    event_uuid: delivery.eventUuid ?? null,
    project,
    subject: subject ? { kind: subject.type, iid: subject.iid, title: subject.title, url: subject.url || null } : null,
    user: event && (event.user.id || event.user.username) ? { id: event.user.id, username: event.user.username } : null,
    outcome: delivery.status,
    reason: delivery.status === 'duplicate' ? `${delivery.reason ?? 'seen before'}; event ${delivery.id}` : (delivery.reason ?? null),
    received_at: at,
    finished_at: at,
  });
}

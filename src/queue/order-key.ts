// Which events must run one after another: those about the same merge request or issue, or the same ref.
import type { RuleEvent } from '../event/event.js';

/**
 * Events with the same key run in arrival order; events with different keys may run side by side.
 * Ordering is per merge request or issue (its labels and comments must land in the order of the
 * events), per ref for pushes and pipelines without one, and per project for anything else, so a
 * merge request whose calls keep failing holds back only its own later events.
 *
 * @example orderKey(mergeRequestEvent) // "42:merge_request:7"
 */
export function orderKey(event: RuleEvent): string {
  const project = event.project.id;
  if (event.subject) return `${project}:${event.subject.type}:${event.subject.iid}`;
  const ref = event.push?.ref ?? event.pipeline?.ref;
  if (ref !== undefined) return `${project}:ref:${ref}`;
  return `${project}`;
}

// The fields every log line about one event carries, so that `grep '!42'` finds all of it.
import type { RuleEvent } from './event.js';

/** `!42` for a merge request, `#17` for an issue, as GitLab writes references; undefined without one. */
export function subjectReference(event: Pick<RuleEvent, 'subject'>): string | undefined {
  const subject = event.subject;
  if (!subject) return undefined;
  return `${subject.type === 'merge_request' ? '!' : '#'}${subject.iid}`;
}

/** `{event_id, project, subject}` for a child logger: the event id, its project's path and its merge request or issue. */
export function eventLogFields(id: string, event: Pick<RuleEvent, 'subject' | 'project'>): Record<string, string> {
  const subject = subjectReference(event);
  return { event_id: id, project: event.project.path_with_namespace, ...(subject && { subject }) };
}

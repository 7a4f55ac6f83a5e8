// The project a webhook payload names, read without the schemas: for the records of deliveries rulebot does not act on or cannot read.
import type { DecisionRecord } from '../store/index.js';

/** The project a payload names, when it names one the usual way. */
export function projectOf(payload: Record<string, unknown>): DecisionRecord['project'] {
  const project = payload['project'] as { id?: unknown; path_with_namespace?: unknown } | null | undefined;
  const id = Number(project?.id ?? payload['project_id']);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  return { id, path: typeof project?.path_with_namespace === 'string' ? project.path_with_namespace : String(id) };
}

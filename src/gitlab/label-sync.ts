// Makes a project's or group's labels match the declared ones: creates those missing, updates color and description.
import type { GitLabClient } from './client.js';
import { createLabel, listLabels, updateLabel } from './labels.js';

export interface DeclaredLabel {
  name: string;
  color: string;
  description?: string | undefined;
}

export interface LabelChange {
  action: 'create' | 'update' | 'unchanged';
  name: string;
  /** What differs, for `update`: `color #aaa → #bbb, description "old" → "new"`. */
  detail?: string;
}

/**
 * One listing of the owner's labels, then one call per label to create or update; labels not
 * declared are left alone. In dry-run only the listing is made.
 */
export async function syncLabels(gitlab: GitLabClient, owner: string, declared: Iterable<DeclaredLabel>, dryRun: boolean): Promise<LabelChange[]> {
  const existing = new Map((await listLabels(gitlab, owner)).map((label) => [label.name, label]));
  const changes: LabelChange[] = [];
  for (const label of declared) {
    const found = existing.get(label.name);
    if (!found) {
      if (!dryRun) await createLabel(gitlab, owner, label);
      changes.push({ action: 'create', name: label.name, detail: label.color });
      continue;
    }
    const details: string[] = [];
    if (found.color.toLowerCase() !== label.color.toLowerCase()) details.push(`color ${found.color} → ${label.color}`);
    if (label.description !== undefined && (found.description ?? '') !== label.description) {
      details.push(`description ${quoted(found.description ?? '')} → ${quoted(label.description)}`);
    }
    if (details.length === 0) {
      changes.push({ action: 'unchanged', name: label.name });
      continue;
    }
    if (!dryRun) await updateLabel(gitlab, owner, found.id, label);
    changes.push({ action: 'update', name: label.name, detail: details.join(', ') });
  }
  return changes;
}

/** A description as the sync prints it: quoted, and shortened past 60 characters. */
function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 59)}…` : text);
}

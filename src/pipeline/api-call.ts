// A planned GitLab write: data first, so dry-run, `simulate` and the real executor share one plan.
import type { HttpMethod } from '../gitlab/index.js';

/**
 * What a call does, which decides how it is made once: edits can be repeated harmlessly, a note is
 * found again by its marker, a repeated merge or rebase is refused by GitLab, a pipeline must never
 * be created twice, and a refused reaction does not matter. A `sticky` comment is posted or edited
 * in place, found by its `sticky` marker. `auto_merge` becomes a `merge` once the project's merge
 * train setting is read. A `backport` is several calls, each skipped when an earlier attempt made it.
 */
export type CallKind = 'edit' | 'note' | 'sticky' | 'merge' | 'auto_merge' | 'backport' | 'rebase' | 'pipeline' | 'reaction';

export interface ApiCall {
  kind: CallKind;
  method: HttpMethod;
  /** Path below `/api/v4`, e.g. `/projects/1/merge_requests/2`. */
  path: string;
  body: Record<string, unknown>;
  /** Names of the rules this call carries out. */
  rules: string[];
  /** For `sticky` comments: the marker that finds the comment again. */
  sticky?: string;
}

/** Which rule actions a call carries out, in the words of rule files: `merge`, `labels and assign`, `comment`. */
export function describeAction(call: ApiCall): string {
  if (call.kind === 'note') return call.path.includes('/discussions/') ? 'reply' : 'comment';
  if (call.kind === 'reaction') return 'react';
  if (call.kind === 'sticky') return 'comment';
  if (call.kind !== 'edit') return call.kind;
  const names = new Set<string>();
  for (const key of Object.keys(call.body)) {
    if (key === 'add_labels' || key === 'remove_labels' || key === 'labels') names.add('labels');
    else if (key === 'assignee_ids') names.add('assign');
    else if (key === 'reviewer_ids') names.add('request_review');
    else if (key === 'state_event') names.add(String(call.body[key]));
    else if (key === 'milestone_id') names.add('milestone');
    else if (key === 'discussion_locked') names.add('lock_discussion');
    // A draft is a title starting with `Draft:`, the only title rules change.
    else if (key === 'title') names.add('draft');
    else names.add(key);
  }
  const list = [...names];
  return list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list.at(-1)}` : (list[0] ?? 'edit');
}

// Editing a merge request or an issue: the one place where API updates and quick actions change state.

import { applyLabelChange } from './labels.js';
import type { FakeIssue, FakeMergeRequest } from './types.js';

export type Issuable = FakeMergeRequest | FakeIssue;

/** An edit, named like GitLab's update parameters; absent fields stay as they are. */
export interface IssuableChange {
  title?: string;
  description?: string;
  state_event?: 'close' | 'reopen';
  labels?: string[];
  add_labels?: string[];
  remove_labels?: string[];
  assignee_ids?: number[];
  /** Ignored for issues, which have no reviewers. */
  reviewer_ids?: number[];
  /** A milestone title, or null to remove it. */
  milestone?: string | null | undefined;
  discussion_locked?: boolean | undefined;
  /** Issues only. */
  confidential?: boolean | undefined;
  /** Issues only. */
  due_date?: string | null | undefined;
}

/** GitLab marks a merge request as draft from its title: `[Draft]`, `(Draft)` or `Draft:`. */
export function isDraftTitle(title: string): boolean {
  return /^(\[draft\]|\(draft\)|draft:)/i.test(title);
}

/**
 * Apply `change` to `target` in place. Closing something already closed or merged, or reopening
 * something open, does nothing, as in GitLab. `updated_at` moves only when something changed.
 * @returns whether anything changed
 */
export function applyIssuableChange(target: Issuable, change: IssuableChange, now: string): boolean {
  const before = JSON.stringify(target);
  if (change.title !== undefined) {
    target.title = change.title;
    if ('draft' in target) target.draft = isDraftTitle(change.title);
  }
  if (change.description !== undefined) target.description = change.description;
  if (change.state_event === 'close' && (target.state === 'opened' || target.state === 'locked')) {
    target.state = 'closed';
    target.closed_at = now;
  }
  if (change.state_event === 'reopen' && target.state === 'closed') {
    target.state = 'opened';
    target.closed_at = null;
  }
  target.labels = applyLabelChange(target.labels, {
    labels: change.labels,
    add: change.add_labels,
    remove: change.remove_labels,
  });
  if (change.assignee_ids) target.assignee_ids = [...change.assignee_ids];
  if (change.reviewer_ids && 'reviewer_ids' in target) target.reviewer_ids = [...change.reviewer_ids];
  if (change.milestone !== undefined) target.milestone = change.milestone;
  if (change.discussion_locked !== undefined) target.discussion_locked = change.discussion_locked;
  if (!('reviewer_ids' in target)) {
    if (change.confidential !== undefined) target.confidential = change.confidential;
    if (change.due_date !== undefined) target.due_date = change.due_date;
  }

  const changed = JSON.stringify(target) !== before;
  if (changed) target.updated_at = now;
  return changed;
}

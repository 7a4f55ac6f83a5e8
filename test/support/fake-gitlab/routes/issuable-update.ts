// Reading the parameters of `PUT …/merge_requests/:iid` and `PUT …/issues/:iid` into one validated change.

import type { IssuableChange } from '../issuable-change.js';
import { has, readBoolean, readChoice, readIdList, readInteger, readLabelList, readString } from '../params.js';
import { badRequest, validationFailed } from '../replies.js';
import type { RouteContext } from './route-context.js';

/** The update parameters the fake understands, in GitLab's order for its "at least one" error. */
export const MERGE_REQUEST_UPDATE_PARAMS = [
  'assignee_id',
  'assignee_ids',
  'reviewer_ids',
  'description',
  'labels',
  'add_labels',
  'remove_labels',
  'state_event',
  'title',
  'milestone_id',
  'discussion_locked',
] as const;

export const ISSUE_UPDATE_PARAMS = [...MERGE_REQUEST_UPDATE_PARAMS.filter((name) => name !== 'reviewer_ids'), 'confidential', 'due_date'] as const;

/**
 * Validate every parameter before anything is applied, so a bad request changes nothing.
 * Ids of unknown users are dropped, as GitLab drops users who cannot be assigned.
 */
export function readIssuableChange(context: RouteContext, accepted: readonly string[]): IssuableChange {
  const { params } = context;
  if (!accepted.some((name) => has(params, name))) {
    throw badRequest(`${accepted.join(', ')} are missing, at least one parameter must be provided`);
  }
  const knownUsers = (ids: number[] | undefined) => ids?.filter((id) => context.store.user(id) !== undefined);
  const assigneeId = readInteger(params, 'assignee_id');
  // `assignee_id: 0` unassigns everyone; `assignee_ids` wins when both are sent.
  const assigneeIds = readIdList(params, 'assignee_ids') ?? (assigneeId === undefined ? undefined : [assigneeId]);
  const change: IssuableChange = {
    title: readString(params, 'title'),
    description: readString(params, 'description'),
    state_event: readChoice(params, 'state_event', ['close', 'reopen'] as const),
    labels: readLabelList(params, 'labels'),
    add_labels: readLabelList(params, 'add_labels'),
    remove_labels: readLabelList(params, 'remove_labels'),
    assignee_ids: knownUsers(assigneeIds),
    reviewer_ids: accepted.includes('reviewer_ids') ? knownUsers(readIdList(params, 'reviewer_ids')) : undefined,
    milestone: readMilestone(context),
    discussion_locked: readBoolean(params, 'discussion_locked'),
    confidential: accepted.includes('confidential') ? readBoolean(params, 'confidential') : undefined,
    due_date: accepted.includes('due_date') ? readDueDate(context) : undefined,
  };
  if (change.title?.trim() === '') throw validationFailed('title', "can't be blank");
  return change;
}

/** `milestone_id: 0` (or empty) removes the milestone; an id the project does not have is ignored, as GitLab does. */
function readMilestone({ params, store }: RouteContext): string | null | undefined {
  if (!has(params, 'milestone_id')) return undefined;
  const id = params['milestone_id'] === '' || params['milestone_id'] === null ? 0 : readInteger(params, 'milestone_id');
  if (!id) return null;
  return store.milestones.byId(id)?.title;
}

/** `due_date: null` or empty clears it; otherwise `YYYY-MM-DD`. */
function readDueDate({ params }: RouteContext): string | null | undefined {
  if (!has(params, 'due_date')) return undefined;
  const value = params['due_date'];
  if (value === null || value === '') return null;
  const text = readString(params, 'due_date');
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) throw badRequest('due_date is invalid');
  return text;
}

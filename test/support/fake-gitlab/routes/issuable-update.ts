// Reading the parameters of `PUT …/merge_requests/:iid` and `PUT …/issues/:iid` into one validated change.

import type { IssuableChange } from '../issuable-change.js';
import { has, readChoice, readIdList, readInteger, readLabelList, readString } from '../params.js';
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
] as const;

export const ISSUE_UPDATE_PARAMS = MERGE_REQUEST_UPDATE_PARAMS.filter((name) => name !== 'reviewer_ids');

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
  };
  if (change.title?.trim() === '') throw validationFailed('title', "can't be blank");
  return change;
}

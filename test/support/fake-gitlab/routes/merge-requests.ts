// `GET` and `PUT /projects/:id/merge_requests/:merge_request_iid`, and the merge request's `/diffs`.

import { applyIssuableChange } from '../issuable-change.js';
import { paginate } from '../pagination.js';
import { readBoolean } from '../params.js';
import { representDiff, representMergeRequest } from '../representations.js';
import { MERGE_REQUEST_UPDATE_PARAMS, readIssuableChange } from './issuable-update.js';
import { findMergeRequest } from './lookups.js';
import { representationContext, type RouteHandler } from './route-context.js';

/** With `include_rebase_in_progress=true`, also tells whether a rebase runs (never, once answered). */
export const getMergeRequest: RouteHandler = (context) => {
  const withRebase = readBoolean(context.params, 'include_rebase_in_progress') ?? false;
  const { project, found } = findMergeRequest(context);
  const body = representMergeRequest(found, project, representationContext(context));
  return { status: 200, body: withRebase ? { ...body, rebase_in_progress: false, merge_error: null } : body };
};

export const updateMergeRequest: RouteHandler = (context) => {
  const change = readIssuableChange(context, MERGE_REQUEST_UPDATE_PARAMS);
  const { project, found } = findMergeRequest(context);
  applyIssuableChange(found.record, change, context.store.now());
  return { status: 200, body: representMergeRequest(found, project, representationContext(context)) };
};

export const listMergeRequestDiffs: RouteHandler = (context) => {
  const { found } = findMergeRequest(context);
  const page = paginate(found.record.diffs, context.url, context.perPageMax);
  return { status: 200, body: page.items.map(representDiff), headers: page.headers };
};

// `GET` and `PUT /projects/:id/merge_requests/:merge_request_iid`, and the merge request's `/diffs`.

import { applyIssuableChange } from '../issuable-change.js';
import { paginate } from '../pagination.js';
import { representDiff, representMergeRequest } from '../representations.js';
import { MERGE_REQUEST_UPDATE_PARAMS, readIssuableChange } from './issuable-update.js';
import { findMergeRequest } from './lookups.js';
import { representationContext, type RouteHandler } from './route-context.js';

export const getMergeRequest: RouteHandler = (context) => {
  const { project, found } = findMergeRequest(context);
  return { status: 200, body: representMergeRequest(found, project, representationContext(context)) };
};

export const updateMergeRequest: RouteHandler = (context) => {
  const change = readIssuableChange(context, MERGE_REQUEST_UPDATE_PARAMS);
  const { project, found } = findMergeRequest(context);
  applyIssuableChange(found.record, change, new Date().toISOString());
  return { status: 200, body: representMergeRequest(found, project, representationContext(context)) };
};

export const listMergeRequestDiffs: RouteHandler = (context) => {
  const { found } = findMergeRequest(context);
  const page = paginate(found.record.diffs, context.url, context.perPageMax);
  return { status: 200, body: page.items.map(representDiff), headers: page.headers };
};

// `GET` and `PUT /projects/:id/issues/:issue_iid`.

import { applyIssuableChange } from '../issuable-change.js';
import { representIssue } from '../representations.js';
import { ISSUE_UPDATE_PARAMS, readIssuableChange } from './issuable-update.js';
import { findIssue } from './lookups.js';
import { representationContext, type RouteHandler } from './route-context.js';

export const getIssue: RouteHandler = (context) => {
  const { project, found } = findIssue(context);
  return { status: 200, body: representIssue(found, project, representationContext(context)) };
};

export const updateIssue: RouteHandler = (context) => {
  const change = readIssuableChange(context, ISSUE_UPDATE_PARAMS);
  const { project, found } = findIssue(context);
  applyIssuableChange(found.record, change, context.store.now());
  return { status: 200, body: representIssue(found, project, representationContext(context)) };
};

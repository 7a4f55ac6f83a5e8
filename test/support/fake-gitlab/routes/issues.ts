// `GET` and `PUT /projects/:id/issues/:issue_iid`.

import { applyIssuableChange } from '../issuable-change.js';
import { representIssue } from '../representations.js';
import { ISSUE_UPDATE_PARAMS, readIssuableChange } from './issuable-update.js';
import { findIssue, findProject } from './lookups.js';
import { readString } from '../params.js';
import { badRequest } from '../replies.js';
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

/** `POST /projects/:id/issues` with `title` (required) and `description`; authored by the token's user. */
export const createIssue: RouteHandler = (context) => {
  const project = findProject(context);
  const title = readString(context.params, 'title');
  if (!title) throw badRequest('title is missing');
  const { store } = context;
  const iid = Math.max(0, ...[...store.allIssues()].filter((i) => i.record.project_id === project.id).map((i) => i.record.iid)) + 1;
  store.addIssue({ project_id: project.id, iid, title, description: readString(context.params, 'description') ?? '', author_id: store.botUser.id });
  return { status: 201, body: representIssue(store.issue(project.id, iid)!, project, representationContext(context)) };
};

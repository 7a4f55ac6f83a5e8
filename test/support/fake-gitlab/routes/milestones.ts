// `GET /projects/:id/milestones`, with GitLab's `title` and `state` filters.

import { readString } from '../params.js';
import { findProject } from './lookups.js';
import type { RouteHandler } from './route-context.js';

export const listMilestones: RouteHandler = (context) => {
  const project = findProject(context);
  const title = readString(context.params, 'title');
  const state = readString(context.params, 'state');
  const found = context.store.milestones
    .list(project.id)
    .filter((milestone) => (title === undefined || milestone.title === title) && (state === undefined || milestone.state === state));
  return {
    status: 200,
    body: found.map((m) => ({ id: m.id, iid: m.id - 60_000, project_id: m.project_id, title: m.title, state: m.state, due_date: null })),
  };
};

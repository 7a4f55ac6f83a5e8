// `GET /projects/:id`.

import { representProject } from '../representations.js';
import { findProject } from './lookups.js';
import type { RouteHandler } from './route-context.js';

export const getProject: RouteHandler = (context) => ({
  status: 200,
  body: representProject(findProject(context), context.baseUrl),
});

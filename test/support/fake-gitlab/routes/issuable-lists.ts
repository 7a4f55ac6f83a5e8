// `GET /projects/:id/merge_requests|issues` and `GET /groups/:id/merge_requests|issues`: filtered, ordered, paginated.

import { readIssuableQuery, type IssuableKind, type IssuableQuery } from '../issuable-query.js';
import { selectIssuables } from '../issuable-selection.js';
import { paginate } from '../pagination.js';
import { badRequest, type Reply } from '../replies.js';
import { representIssue, representMergeRequest } from '../representations.js';
import type { FakeProject } from '../types.js';
import { findGroup, findProject } from './lookups.js';
import { representationContext, type RouteContext, type RouteHandler } from './route-context.js';

type InScope = (record: { project_id: number }) => boolean;

export function listProjectIssuables(kind: IssuableKind): RouteHandler {
  return (context) => {
    const query = readQuery(context, kind);
    const project = findProject(context);
    return listReply(context, kind, query, (record) => record.project_id === project.id);
  };
}

/** A group's list spans the projects of the group and of all its subgroups. */
export function listGroupIssuables(kind: IssuableKind): RouteHandler {
  return (context) => {
    const query = readQuery(context, kind);
    const group = findGroup(context);
    const { store } = context;
    const projectIds = new Set(
      store
        .listProjects()
        .filter((project) => store.memberships.contains(group, project))
        .map((project) => project.id),
    );
    return listReply(context, kind, query, (record) => projectIds.has(record.project_id));
  };
}

/**
 * `GET /merge_requests` (and `/issues`): across every project; GitLab's default `scope` is
 * `created_by_me`, which the fake does not model, so only `scope=all` is served (400 otherwise).
 */
export function listAllIssuables(kind: IssuableKind): RouteHandler {
  return (context) => {
    const scope = context.params['scope'];
    if (scope !== 'all') throw badRequest('scope does not have a valid value (the fake serves scope=all only)');
    return listReply(context, kind, readQuery(context, kind), () => true);
  };
}

function readQuery(context: RouteContext, kind: IssuableKind): IssuableQuery {
  return readIssuableQuery(context.params, kind, (username) => context.store.userByUsername(username));
}

function listReply(context: RouteContext, kind: IssuableKind, query: IssuableQuery, inScope: InScope): Reply {
  const { store, url, perPageMax } = context;
  const representation = representationContext(context);
  const projectOf = (projectId: number): FakeProject => {
    const project = store.project(projectId);
    if (!project) throw new Error(`fake GitLab: project ${projectId} of a stored issuable is missing`);
    return project;
  };
  if (kind === 'MergeRequest') {
    const page = paginate(selectIssuables(store.allMergeRequests(), inScope, query), url, perPageMax);
    const body = page.items.map((item) =>
      representMergeRequest(item, projectOf(item.record.project_id), representation),
    );
    return { status: 200, body, headers: page.headers };
  }
  const page = paginate(selectIssuables(store.allIssues(), inScope, query), url, perPageMax);
  const body = page.items.map((item) => representIssue(item, projectOf(item.record.project_id), representation));
  return { status: 200, body, headers: page.headers };
}

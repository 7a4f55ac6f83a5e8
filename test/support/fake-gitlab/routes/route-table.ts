// The endpoints the fake serves, and matching a request's method and path against them.

import { createNote, listNotes } from './notes.js';
import { getIssue, updateIssue } from './issues.js';
import { getMergeRequest, listMergeRequestDiffs, updateMergeRequest } from './merge-requests.js';
import { getProject } from './projects.js';
import type { RouteHandler } from './route-context.js';
import { getCurrentUser, listUsers } from './users.js';

interface Route {
  method: string;
  /** Segments after `/api/v4`; `:name` captures one segment. */
  segments: readonly string[];
  handle: RouteHandler;
}

const MERGE_REQUEST = '/projects/:id/merge_requests/:merge_request_iid';
const ISSUE = '/projects/:id/issues/:issue_iid';

const ROUTES: readonly Route[] = [
  route('GET', '/user', getCurrentUser),
  route('GET', '/users', listUsers),
  route('GET', '/projects/:id', getProject),
  route('GET', MERGE_REQUEST, getMergeRequest),
  route('PUT', MERGE_REQUEST, updateMergeRequest),
  route('GET', `${MERGE_REQUEST}/diffs`, listMergeRequestDiffs),
  route('GET', `${MERGE_REQUEST}/notes`, listNotes('MergeRequest')),
  route('POST', `${MERGE_REQUEST}/notes`, createNote('MergeRequest')),
  route('GET', ISSUE, getIssue),
  route('PUT', ISSUE, updateIssue),
  route('GET', `${ISSUE}/notes`, listNotes('Issue')),
  route('POST', `${ISSUE}/notes`, createNote('Issue')),
];

export interface RouteMatch {
  handle: RouteHandler;
  path: Record<string, string>;
}

/** Find the endpoint for `method` and the decoded path `segments`; `undefined` means 404. */
export function matchRoute(method: string, segments: readonly string[]): RouteMatch | undefined {
  for (const candidate of ROUTES) {
    if (candidate.method !== method || candidate.segments.length !== segments.length) continue;
    const path: Record<string, string> = {};
    const matches = candidate.segments.every((expected, index) => {
      const actual = segments[index] ?? '';
      if (expected.startsWith(':')) path[expected.slice(1)] = actual;
      return expected.startsWith(':') ? actual !== '' : expected === actual;
    });
    if (matches) return { handle: candidate.handle, path };
  }
  return undefined;
}

function route(method: string, template: string, handle: RouteHandler): Route {
  return { method, segments: template.split('/').slice(1), handle };
}

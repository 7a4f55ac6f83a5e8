// The endpoints the fake serves, and matching a request's method and path against them.

import { getTokenSelf, rotateTokenSelf } from './access-tokens.js';
import { awardNoteEmoji, listNoteAwards } from './award-emoji.js';
import { getGroupHook, getProjectHook, listGroupHooks, listProjectHooks, testGroupHook, testProjectHook } from './hooks.js';
import { listAllIssuables, listGroupIssuables, listProjectIssuables } from './issuable-lists.js';
import { createIssue, getIssue, updateIssue } from './issues.js';
import { getMember, getMemberIncludingInherited, listAllMembers, listMembers } from './members.js';
import { addToMergeTrain, mergeMergeRequest, rebaseMergeRequest } from './merge.js';
import { getApprovals, listDiscussions } from './merge-request-state.js';
import { listMilestones } from './milestones.js';
import { createLabel, getLabel, listLabels, updateLabel } from './labels.js';
import { cherryPick, createBranch, createMergeRequest, deleteBranch, getBranch } from './repository.js';
import { getMergeRequest, listMergeRequestDiffs, updateMergeRequest } from './merge-requests.js';
import { listCommitStatuses, setCommitStatus } from './commit-statuses.js';
import { createNote, listNotes, updateNote } from './notes.js';
import { createPipeline } from './pipelines.js';
import { getProject } from './projects.js';
import { getFile, getRawFile, headFile } from './repository-files.js';
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
  route('GET', '/merge_requests', listAllIssuables('MergeRequest')),
  route('GET', '/projects/:id', getProject),
  route('GET', '/projects/:id/members', listMembers),
  route('GET', '/projects/:id/members/all', listAllMembers),
  route('GET', '/projects/:id/members/all/:user_id', getMemberIncludingInherited),
  route('GET', '/projects/:id/members/:user_id', getMember),
  route('POST', '/projects/:id/pipeline', createPipeline),
  route('GET', '/projects/:id/milestones', listMilestones),
  route('GET', '/projects/:id/labels', listLabels('project')),
  route('POST', '/projects/:id/labels', createLabel('project')),
  route('GET', '/projects/:id/labels/:label_id', getLabel('project')),
  route('PUT', '/projects/:id/labels/:label_id', updateLabel('project')),
  route('GET', '/groups/:id/labels', listLabels('group')),
  route('POST', '/groups/:id/labels', createLabel('group')),
  route('GET', '/groups/:id/labels/:label_id', getLabel('group')),
  route('PUT', '/groups/:id/labels/:label_id', updateLabel('group')),
  route('POST', '/projects/:id/merge_trains/merge_requests/:merge_request_iid', addToMergeTrain),
  // The file path is one URL-encoded segment (`.gitlab%2Frulebot.yml`), as GitLab requires.
  route('GET', '/projects/:id/repository/files/:file_path/raw', getRawFile),
  route('GET', '/projects/:id/repository/files/:file_path', getFile),
  route('HEAD', '/projects/:id/repository/files/:file_path', headFile),
  route('POST', '/projects/:id/statuses/:sha', setCommitStatus),
  route('GET', '/projects/:id/repository/commits/:sha/statuses', listCommitStatuses),
  route('GET', '/projects/:id/merge_requests', listProjectIssuables('MergeRequest')),
  route('POST', '/projects/:id/merge_requests', createMergeRequest),
  route('GET', '/projects/:id/repository/branches/:branch', getBranch),
  route('POST', '/projects/:id/repository/branches', createBranch),
  route('DELETE', '/projects/:id/repository/branches/:branch', deleteBranch),
  route('POST', '/projects/:id/repository/commits/:sha/cherry_pick', cherryPick),
  route('GET', MERGE_REQUEST, getMergeRequest),
  route('PUT', MERGE_REQUEST, updateMergeRequest),
  route('PUT', `${MERGE_REQUEST}/merge`, mergeMergeRequest),
  route('PUT', `${MERGE_REQUEST}/rebase`, rebaseMergeRequest),
  route('GET', `${MERGE_REQUEST}/diffs`, listMergeRequestDiffs),
  route('GET', `${MERGE_REQUEST}/approvals`, getApprovals),
  route('GET', `${MERGE_REQUEST}/discussions`, listDiscussions),
  route('GET', `${MERGE_REQUEST}/notes`, listNotes('MergeRequest')),
  route('POST', `${MERGE_REQUEST}/notes`, createNote('MergeRequest')),
  route('PUT', `${MERGE_REQUEST}/notes/:note_id`, updateNote('MergeRequest')),
  // A reply in a thread; the fake keeps no threads, so it is stored as a note of the merge request.
  route('POST', `${MERGE_REQUEST}/discussions/:discussion_id/notes`, createNote('MergeRequest')),
  route('GET', `${MERGE_REQUEST}/notes/:note_id/award_emoji`, listNoteAwards('MergeRequest')),
  route('POST', `${MERGE_REQUEST}/notes/:note_id/award_emoji`, awardNoteEmoji('MergeRequest')),
  route('GET', '/projects/:id/issues', listProjectIssuables('Issue')),
  route('POST', '/projects/:id/issues', createIssue),
  route('GET', ISSUE, getIssue),
  route('PUT', ISSUE, updateIssue),
  route('GET', `${ISSUE}/notes`, listNotes('Issue')),
  route('POST', `${ISSUE}/notes`, createNote('Issue')),
  route('PUT', `${ISSUE}/notes/:note_id`, updateNote('Issue')),
  route('POST', `${ISSUE}/discussions/:discussion_id/notes`, createNote('Issue')),
  route('GET', `${ISSUE}/notes/:note_id/award_emoji`, listNoteAwards('Issue')),
  route('POST', `${ISSUE}/notes/:note_id/award_emoji`, awardNoteEmoji('Issue')),
  route('GET', '/groups/:id/merge_requests', listGroupIssuables('MergeRequest')),
  route('GET', '/groups/:id/issues', listGroupIssuables('Issue')),
  route('GET', '/personal_access_tokens/self', getTokenSelf),
  route('POST', '/personal_access_tokens/self/rotate', rotateTokenSelf),
  route('GET', '/projects/:id/hooks', listProjectHooks),
  route('GET', '/projects/:id/hooks/:hook_id', getProjectHook),
  route('POST', '/projects/:id/hooks/:hook_id/test/:trigger', testProjectHook),
  route('GET', '/groups/:id/hooks', listGroupHooks),
  route('GET', '/groups/:id/hooks/:hook_id', getGroupHook),
  route('POST', '/groups/:id/hooks/:hook_id/test/:trigger', testGroupHook),
];

export interface RouteMatch {
  handle: RouteHandler;
  path: Record<string, string>;
}

/**
 * Find the endpoint for `method` and the decoded path `segments`; `undefined` means 404. The first
 * route that matches wins, so a literal segment (`members/all`) is listed before a parameter.
 */
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

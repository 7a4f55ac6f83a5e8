// What a dry run shows for a call whose requests depend on what GitLab holds: keyed comments and backports.
import type { GitLabClient, HttpMethod } from '../gitlab/index.js';
import { projectPath } from '../gitlab/index.js';
import type { ApiCall } from './api-call.js';
import { decideBackport } from './backport.js';
import { decideStickyComment } from './sticky-comment.js';

/** One request a dry run would make; `if` says what it depends on, when GitLab's answers decide. */
export interface ShownCall {
  method: HttpMethod;
  path: string;
  body?: Record<string, unknown>;
  if?: string;
}

/**
 * The requests a planned call stands for: `calls` (none when nothing would be sent), with `note`
 * saying why, or `undecided` when GitLab could not be read to tell.
 */
export interface Preview {
  calls: ShownCall[];
  note?: string;
  undecided?: string;
}

/**
 * Reads what GitLab holds (as the real call would) and says which requests would follow; offline,
 * says what stays undecided. Undefined for calls that are sent as planned.
 */
export async function previewCall(call: ApiCall, deps: { gitlab: GitLabClient; offline?: string | undefined; botUsername?: string | undefined }): Promise<Preview | undefined> {
  if (call.kind === 'sticky' && call.sticky !== undefined) {
    const key = /rulebot:comment:(.*?) -->/.exec(call.sticky)?.[1] ?? call.sticky;
    if (deps.offline) {
      return { calls: [], undecided: `keyed comment "${key}": posted, edited or left alone depending on the comment already there, which was not read (${deps.offline})` };
    }
    const decision = await decideStickyComment({ ...call, sticky: call.sticky }, deps.gitlab, deps.botUsername);
    if (decision.action === 'create') return { calls: [{ method: 'POST', path: call.path, body: call.body }] };
    if (decision.action === 'update') return { calls: [{ method: 'PUT', path: `${call.path}/${decision.noteId}`, body: { body: call.body['body'] } }] };
    return { calls: [], note: `keyed comment "${key}" left alone: note ${decision.noteId} already says this` };
  }
  if (call.kind === 'backport') {
    if (deps.offline) return offlineBackport(call, deps.offline);
    const steps = await decideBackport(call, deps.gitlab);
    const project = projectPath(steps.project);
    const conflict = 'the cherry-pick succeeds (on a conflict, the branch is deleted and a comment on the merge request gives the commands to do it by hand)';
    return {
      calls: [
        ...(steps.createBranch ? [{ method: 'POST' as const, path: `${project}/repository/branches`, body: { branch: steps.branch, ref: steps.to } }] : []),
        ...(steps.pick ? [{ method: 'POST' as const, path: `${project}/repository/commits/${steps.sha}/cherry_pick`, body: { branch: steps.branch } }] : []),
        { method: 'POST', path: `${project}/merge_requests`, body: steps.mergeRequest, ...(steps.pick && { if: conflict }) },
      ],
    };
  }
  return undefined;
}

/** Without GitLab: the steps, each depending on what GitLab would answer. */
function offlineBackport(call: ApiCall, offline: string): Preview {
  const project = call.path.replace(/\/merge_requests$/, '');
  const { source_branch: branch, target_branch: to, iid } = call.body as { source_branch: string; target_branch: string; iid: number };
  const commit = `<merge commit of !${iid}>`;
  return {
    calls: [
      { method: 'POST', path: `${project}/repository/branches`, body: { branch, ref: to }, if: `the branch ${branch} does not exist yet` },
      { method: 'POST', path: `${project}/repository/commits/${commit}/cherry_pick`, body: { branch }, if: `the branch has not moved on from ${to}` },
      { method: 'POST', path: `${project}/merge_requests`, body: { source_branch: branch, target_branch: to, title: `[${to}] <title of !${iid}>`, remove_source_branch: true }, if: 'the cherry-pick succeeds' },
    ],
    undecided: `backport to ${to}: the merge request's commit and the branches were not read (${offline})`,
  };
}

// Branches, cherry-picks and new merge requests: what a backport needs from the repository API.
// https://docs.gitlab.com/api/branches/, https://docs.gitlab.com/api/commits/#cherry-pick-a-commit

import { createHash } from 'node:crypto';
import { readString } from '../params.js';
import { ApiError, badRequest, notFound } from '../replies.js';
import { representMergeRequest } from '../representations.js';
import type { FakeProject } from '../types.js';
import { findProject } from './lookups.js';
import { representationContext, type RouteHandler } from './route-context.js';

function branches(project: FakeProject): Record<string, string> {
  project.branches ??= {};
  return project.branches;
}

function representBranch(name: string, sha: string) {
  return { name, merged: false, protected: false, default: false, commit: { id: sha, short_id: sha.slice(0, 8) } };
}

export const getBranch: RouteHandler = (context) => {
  const project = findProject(context);
  const name = context.path['branch'] ?? '';
  const sha = branches(project)[name];
  if (sha === undefined) throw notFound('Branch');
  return { status: 200, body: representBranch(name, sha) };
};

/** `POST …/repository/branches` with `branch` and `ref` (a branch name or a commit). */
export const createBranch: RouteHandler = (context) => {
  const project = findProject(context);
  const name = readString(context.params, 'branch');
  const ref = readString(context.params, 'ref');
  if (!name) throw badRequest('branch is missing');
  if (!ref) throw badRequest('ref is missing');
  const all = branches(project);
  if (all[name] !== undefined) throw new ApiError({ status: 400, body: { message: 'Branch already exists' } });
  const sha = all[ref] ?? (/^[0-9a-f]{40}$/.test(ref) ? ref : undefined);
  if (sha === undefined) throw new ApiError({ status: 400, body: { message: 'Invalid reference name: ' + ref } });
  all[name] = sha;
  return { status: 201, body: representBranch(name, sha) };
};

export const deleteBranch: RouteHandler = (context) => {
  const project = findProject(context);
  const name = context.path['branch'] ?? '';
  const all = branches(project);
  if (all[name] === undefined) throw notFound('Branch');
  delete all[name];
  return { status: 204, body: undefined };
};

/** 400 with `error_code: conflict` for a commit the project lists as conflicting, as GitLab answers. */
export const cherryPick: RouteHandler = (context) => {
  const project = findProject(context);
  const sha = context.path['sha'] ?? '';
  const branch = readString(context.params, 'branch');
  if (!branch) throw badRequest('branch is missing');
  const all = branches(project);
  if (all[branch] === undefined) throw notFound('Branch');
  if (project.cherry_pick_conflicts?.includes(sha)) {
    throw new ApiError({
      status: 400,
      body: {
        message: 'Sorry, we cannot cherry-pick this commit automatically. This commit may already have been cherry-picked, or a more recent commit may have updated some of its content.',
        error_code: 'conflict',
      },
    });
  }
  const id = createHash('sha1').update(`${sha}:${branch}`).digest('hex');
  all[branch] = id;
  (project.cherry_picks ??= []).push({ sha, branch, id });
  return { status: 201, body: { id, short_id: id.slice(0, 8), title: `Cherry-pick ${sha.slice(0, 8)}`, parent_ids: [sha] } };
};

/** `POST /projects/:id/merge_requests`: both branches must exist; one open merge request per branch pair (409). */
export const createMergeRequest: RouteHandler = (context) => {
  const project = findProject(context);
  const source = readString(context.params, 'source_branch');
  const target = readString(context.params, 'target_branch');
  const title = readString(context.params, 'title');
  if (!source || !target || !title) throw badRequest('source_branch, target_branch, title are missing');
  const all = branches(project);
  if (all[source] === undefined || all[target] === undefined) throw new ApiError({ status: 400, body: { message: { source_branch: ['does not exist'] } } });
  const { store } = context;
  const existing = [...store.allMergeRequests()].filter((mr) => mr.record.project_id === project.id);
  if (existing.some((mr) => mr.record.state === 'opened' && mr.record.source_branch === source && mr.record.target_branch === target)) {
    throw new ApiError({ status: 409, body: { message: ['Another open merge request already exists for this source branch'] } });
  }
  const iid = Math.max(0, ...existing.map((mr) => mr.record.iid)) + 1;
  store.addMergeRequest({
    project_id: project.id,
    iid,
    title,
    description: readString(context.params, 'description') ?? '',
    source_branch: source,
    target_branch: target,
    author_id: store.botUser.id,
    sha: all[source],
  });
  const found = store.mergeRequest(project.id, iid)!;
  return { status: 201, body: representMergeRequest(found, project, representationContext(context)) };
};

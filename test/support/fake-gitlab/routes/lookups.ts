// Resolving path parameters to stored resources, with GitLab's 400 and 404 answers when that fails.

import { badRequest, notFound } from '../replies.js';
import type { Stored } from '../store.js';
import type { FakeIssue, FakeMergeRequest, FakeNote, FakeProject } from '../types.js';
import type { RouteContext } from './route-context.js';

export interface Found<T> {
  project: FakeProject;
  found: Stored<T>;
}

/** `:id` is a numeric id or a URL-encoded `path_with_namespace`. */
export function findProject(context: RouteContext): FakeProject {
  const project = context.store.project(context.path['id'] ?? '');
  if (!project) throw notFound('Project');
  return project;
}

export function findMergeRequest(context: RouteContext): Found<FakeMergeRequest> {
  // Grape validates the iid before the endpoint looks anything up.
  const iid = readIid(context, 'merge_request_iid');
  const project = findProject(context);
  const found = context.store.mergeRequest(project.id, iid);
  if (!found) throw notFound('Merge Request');
  return { project, found };
}

export function findIssue(context: RouteContext): Found<FakeIssue> {
  const iid = readIid(context, 'issue_iid');
  const project = findProject(context);
  const found = context.store.issue(project.id, iid);
  if (!found) throw notFound('Issue');
  return { project, found };
}

export function findNoteable(
  context: RouteContext,
  type: FakeNote['noteable_type'],
): Found<FakeMergeRequest | FakeIssue> {
  return type === 'MergeRequest' ? findMergeRequest(context) : findIssue(context);
}

function readIid(context: RouteContext, name: string): number {
  const text = context.path[name] ?? '';
  if (!/^\d+$/.test(text)) throw badRequest(`${name} is invalid`);
  return Number(text);
}

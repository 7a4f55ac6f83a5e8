// Resolving path parameters to stored resources, with GitLab's 400 and 404 answers when that fails.

import { badRequest, notFound, recordNotFound } from '../replies.js';
import type { Stored } from '../store.js';
import type { FakeGroup, FakeIssue, FakeMergeRequest, FakeNote, FakeProject } from '../types.js';
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

/** `:id` is a numeric id or a URL-encoded `full_path`. */
export function findGroup(context: RouteContext): FakeGroup {
  const group = context.store.memberships.group(context.path['id'] ?? '');
  if (!group) throw notFound('Group');
  return group;
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

/**
 * The note `:note_id` on the merge request or issue in the path. The award emoji endpoints look
 * the issuable and the note up with `find`, so an unknown one is GitLab's plain `404 Not found`.
 */
export function findNoteOn(
  context: RouteContext,
  type: FakeNote['noteable_type'],
): Found<FakeMergeRequest | FakeIssue> & { note: FakeNote } {
  const iid = readIid(context, type === 'MergeRequest' ? 'merge_request_iid' : 'issue_iid');
  const project = findProject(context);
  const found = context.store.noteable(type, project.id, iid);
  if (!found) throw recordNotFound();
  const noteId = context.path['note_id'];
  const note = context.store.notes(project.id, type, iid).find((candidate) => String(candidate.id) === noteId);
  if (!note) throw recordNotFound();
  return { project, found, note };
}

function readIid(context: RouteContext, name: string): number {
  const text = context.path[name] ?? '';
  if (!/^\d+$/.test(text)) throw badRequest(`${name} is invalid`);
  return Number(text);
}

// JSON representations of users, projects, merge requests, issues, diffs and notes, shaped like GitLab's API entities.

import type { Stored } from './store.js';
import type { FakeDiff, FakeIssue, FakeMergeRequest, FakeNote, FakeProject, FakeUser } from './types.js';

/** What a representation needs besides the record: the instance url, users, and how many comments an issuable has. */
export interface RepresentationContext {
  baseUrl: string;
  user(id: number): FakeUser | undefined;
  /** Notes on the issuable that are not system notes. */
  userNotesCount(type: FakeNote['noteable_type'], projectId: number, iid: number): number;
}

/** `UserBasic`: how authors, assignees and reviewers appear. */
export function representUser(user: FakeUser, baseUrl: string) {
  return {
    id: user.id,
    username: user.username,
    name: user.name ?? user.username,
    state: 'active',
    web_url: `${baseUrl}/${user.username}`,
  };
}

export function representProject(project: FakeProject, baseUrl: string) {
  return {
    id: project.id,
    path_with_namespace: project.path_with_namespace,
    web_url: `${baseUrl}/${project.path_with_namespace}`,
    merge_pipelines_enabled: project.merge_trains_enabled ?? false,
    merge_trains_enabled: project.merge_trains_enabled ?? false,
    default_branch: project.default_branch ?? 'main',
  };
}

export function representMergeRequest(
  { id, record: mr }: Stored<FakeMergeRequest>,
  project: FakeProject,
  context: RepresentationContext,
) {
  const assignees = users(mr.assignee_ids, context);
  return {
    id,
    iid: mr.iid,
    project_id: mr.project_id,
    title: mr.title,
    description: mr.description,
    state: mr.state,
    created_at: mr.created_at,
    updated_at: mr.updated_at,
    target_branch: mr.target_branch,
    source_branch: mr.source_branch,
    author: users([mr.author_id], context)[0] ?? null,
    assignee: assignees[0] ?? null,
    assignees,
    reviewers: users(mr.reviewer_ids, context),
    labels: sortedLabels(mr.labels),
    draft: mr.draft,
    work_in_progress: mr.draft,
    merged_at: mr.merged_at,
    closed_at: mr.closed_at,
    merge_user: mr.merge_user_id === null ? null : (users([mr.merge_user_id], context)[0] ?? null),
    merge_when_pipeline_succeeds: mr.auto_merge,
    squash: mr.squash,
    should_remove_source_branch: mr.should_remove_source_branch,
    user_notes_count: context.userNotesCount('MergeRequest', mr.project_id, mr.iid),
    sha: mr.sha,
    web_url: `${context.baseUrl}/${project.path_with_namespace}/-/merge_requests/${mr.iid}`,
    detailed_merge_status: mr.detailed_merge_status ?? 'mergeable',
    has_conflicts: mr.has_conflicts ?? false,
    blocking_discussions_resolved: !(mr.discussions ?? []).some((d) => d.resolvable && !d.resolved),
    head_pipeline: mr.head_pipeline_status ? { id: 1, status: mr.head_pipeline_status, sha: mr.sha } : null,
    milestone: representMilestone(mr.milestone, project),
    discussion_locked: mr.discussion_locked ?? null,
    merge_commit_sha: mr.merge_commit_sha ?? null,
    squash_commit_sha: null,
  };
}

export function representIssue(
  { id, record: issue }: Stored<FakeIssue>,
  project: FakeProject,
  context: RepresentationContext,
) {
  const assignees = users(issue.assignee_ids, context);
  return {
    id,
    iid: issue.iid,
    project_id: issue.project_id,
    title: issue.title,
    description: issue.description,
    state: issue.state,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    labels: sortedLabels(issue.labels),
    author: users([issue.author_id], context)[0] ?? null,
    assignee: assignees[0] ?? null,
    assignees,
    closed_at: issue.closed_at,
    confidential: issue.confidential ?? false,
    issue_type: issue.issue_type ?? 'issue',
    type: (issue.issue_type ?? 'issue').toUpperCase(),
    milestone: representMilestone(issue.milestone, project),
    discussion_locked: issue.discussion_locked ?? null,
    due_date: issue.due_date ?? null,
    user_notes_count: context.userNotesCount('Issue', issue.project_id, issue.iid),
    web_url: `${context.baseUrl}/${project.path_with_namespace}/-/issues/${issue.iid}`,
  };
}

/** File modes tell a client whether the file was created (`a_mode` 0) or deleted (`b_mode` 0). */
export function representDiff(diff: FakeDiff) {
  const newFile = diff.new_file ?? false;
  const deletedFile = diff.deleted_file ?? false;
  return {
    old_path: diff.old_path,
    new_path: diff.new_path,
    a_mode: newFile ? '0' : '100644',
    b_mode: deletedFile ? '0' : '100644',
    diff: diff.diff,
    new_file: newFile,
    renamed_file: diff.renamed_file ?? false,
    deleted_file: deletedFile,
    generated_file: false,
  };
}

/** `noteable_id` is the global id of the merge request or issue, `noteable_iid` its iid. */
export function representNote(note: FakeNote, noteableId: number, context: RepresentationContext) {
  return {
    id: note.id,
    type: null,
    body: note.body,
    author: users([note.author_id], context)[0] ?? null,
    created_at: note.created_at,
    updated_at: note.updated_at ?? note.created_at,
    system: note.system,
    noteable_id: noteableId,
    noteable_type: note.noteable_type,
    noteable_iid: note.noteable_iid,
    project_id: note.project_id,
    internal: note.internal,
    confidential: note.internal,
  };
}

function users(ids: number[], context: RepresentationContext) {
  return ids.flatMap((id) => {
    const user = context.user(id);
    return user ? [representUser(user, context.baseUrl)] : [];
  });
}

// GitLab lists an issuable's labels sorted by title (Ruby's byte order), whatever order they were added in.
function sortedLabels(labels: string[]): string[] {
  return [...labels].sort();
}

/** A project milestone named by its title (the fake keeps no other milestone data). */
function representMilestone(title: string | null | undefined, project: FakeProject) {
  return title ? { id: 1, iid: 1, project_id: project.id, title, state: 'active', due_date: null } : null;
}

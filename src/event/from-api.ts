// Turns a merge request or issue as the REST API returns it into the Subject rules evaluate.
import type { Issuable } from '../gitlab/index.js';
import type { Subject, SubjectType } from './event.js';

export function subjectFromApi(item: Issuable, type: SubjectType): Subject {
  return {
    type,
    complete: true,
    people_known: true,
    iid: item.iid,
    ...(type === 'issue' && { issue_type: item.issue_type?.toLowerCase() ?? 'issue', confidential: item.confidential ?? false }),
    title: item.title,
    description: item.description ?? '',
    state: item.state,
    labels: item.labels,
    author_id: item.author.id,
    assignee_ids: item.assignees.map((user) => user.id),
    reviewer_ids: item.reviewers.map((user) => user.id),
    url: item.web_url,
    ...(type === 'merge_request' && { source_branch: item.source_branch, target_branch: item.target_branch, draft: item.draft ?? false }),
    sha: item.sha ?? undefined,
    created_at: item.created_at,
    updated_at: item.updated_at,
    merged_at: item.merged_at,
  };
}

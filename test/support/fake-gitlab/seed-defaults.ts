// What a seeded merge request or issue looks like when the test leaves a field out.

import { createHash } from 'node:crypto';
import { isDraftTitle } from './issuable-change.js';
import type { FakeIssue, FakeMergeRequest, FakeUser } from './types.js';

/** A fresh GitLab instance has its administrator as user 1; authors default to it. */
export const ROOT_USER: FakeUser = { id: 1, username: 'root', name: 'Administrator' };

export type MergeRequestSeed = Partial<FakeMergeRequest> & { project_id: number; iid: number };
export type IssueSeed = Partial<FakeIssue> & { project_id: number; iid: number };

/**
 * Open, not draft (unless the title says so), no labels or people, `feature-<iid>` into `main`,
 * authored by root, created and updated `now`. A seed merged or closed without a date for it was
 * merged or closed when it was last updated.
 */
export function mergeRequestFromSeed(seed: MergeRequestSeed, now: string): FakeMergeRequest {
  const title = seed.title ?? `Merge request !${seed.iid}`;
  const created = seed.created_at ?? now;
  const updated = seed.updated_at ?? created;
  return {
    title,
    description: '',
    state: 'opened',
    labels: [],
    assignee_ids: [],
    reviewer_ids: [],
    source_branch: `feature-${seed.iid}`,
    target_branch: 'main',
    author_id: ROOT_USER.id,
    draft: isDraftTitle(title),
    diffs: [],
    sha: createHash('sha1').update(`${seed.project_id}!${seed.iid}`).digest('hex'),
    merged_at: seed.state === 'merged' ? updated : null,
    closed_at: seed.state === 'closed' ? updated : null,
    auto_merge: false,
    merge_user_id: null,
    squash: false,
    should_remove_source_branch: null,
    rebase_count: 0,
    ...seed,
    created_at: created,
    updated_at: updated,
  };
}

/** Open, no labels, authored by root, created and updated `now`; closed when last updated if closed. */
export function issueFromSeed(seed: IssueSeed, now: string): FakeIssue {
  const created = seed.created_at ?? now;
  const updated = seed.updated_at ?? created;
  return {
    title: `Issue #${seed.iid}`,
    description: '',
    state: 'opened',
    labels: [],
    assignee_ids: [],
    author_id: ROOT_USER.id,
    closed_at: seed.state === 'closed' ? updated : null,
    ...seed,
    created_at: created,
    updated_at: updated,
  };
}

// Reads of a merge request's review state: who approved it, and how many threads are still unresolved.
import { z } from 'zod';
import type { GitLabClient } from './client.js';

const ApprovalsSchema = z.object({
  approved: z.boolean().nullish(),
  approvals_left: z.number().nullish(),
  approved_by: z
    .array(z.object({ user: z.object({ id: z.number(), username: z.string() }) }))
    .nullish()
    .transform((list) => list ?? []),
});

/**
 * Who approved the merge request, and whether GitLab counts it approved (no approvals left).
 * https://docs.gitlab.com/api/merge_request_approvals/#retrieve-approval-state-for-a-merge-request
 */
export async function getApprovals(gitlab: GitLabClient, path: string): Promise<{ approved: boolean; usernames: string[] }> {
  const answer = await gitlab.request('GET', `${path}/approvals`, { schema: ApprovalsSchema });
  return {
    approved: answer.approved ?? (answer.approvals_left ?? 0) === 0,
    usernames: answer.approved_by.map((entry) => entry.user.username),
  };
}

const DiscussionsSchema = z.array(
  z.object({ notes: z.array(z.object({ resolvable: z.boolean().nullish(), resolved: z.boolean().nullish() })).nullish() }),
);

/**
 * Threads with a resolvable note not yet resolved, over every page of `GET …/discussions`.
 * https://docs.gitlab.com/api/discussions/#list-project-merge-request-discussion-items
 */
export async function countUnresolvedThreads(gitlab: GitLabClient, path: string): Promise<number> {
  let unresolved = 0;
  for await (const discussion of gitlab.paginate(`${path}/discussions`, { schema: DiscussionsSchema, perPage: 100 })) {
    if ((discussion.notes ?? []).some((note) => note.resolvable && !note.resolved)) unresolved++;
  }
  return unresolved;
}

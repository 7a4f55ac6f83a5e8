// How many open merge requests a user is asked to review, across the instance.
import { z } from 'zod';
import type { GitLabClient } from './client.js';

/**
 * Open merge requests with `username` among the reviewers, in one call: the first 100 are counted,
 * so a count of 100 means "100 or more".
 * https://docs.gitlab.com/api/merge_requests/#list-merge-requests
 */
export async function countOpenReviews(gitlab: GitLabClient, username: string): Promise<number> {
  const page = await gitlab.requestPage('/merge_requests', {
    query: { scope: 'all', state: 'opened', reviewer_username: username, per_page: 100 },
    schema: z.array(z.object({ iid: z.number() })),
  });
  return page.items.length;
}

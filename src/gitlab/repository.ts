// Branches, cherry-picks and new merge requests: the repository calls a backport makes.
// https://docs.gitlab.com/api/branches/, https://docs.gitlab.com/api/commits/#cherry-pick-a-commit
import { z } from 'zod';
import { GitLabApiError } from '../errors.js';
import type { GitLabClient } from './client.js';
import { projectPath } from './project-path.js';

const BranchSchema = z.object({ name: z.string(), commit: z.object({ id: z.string() }) });

/** The head commit of a branch, or undefined when there is no such branch (404). */
export async function branchHead(gitlab: GitLabClient, projectId: number | string, branch: string): Promise<string | undefined> {
  try {
    const found = await gitlab.request('GET', `${projectPath(projectId)}/repository/branches/${encodeURIComponent(branch)}`, { schema: BranchSchema });
    return found.commit.id;
  } catch (error) {
    if (error instanceof GitLabApiError && error.status === 404) return undefined;
    throw error;
  }
}

export async function createBranch(gitlab: GitLabClient, projectId: number | string, branch: string, ref: string): Promise<void> {
  await gitlab.request('POST', `${projectPath(projectId)}/repository/branches`, { body: { branch, ref } });
}

export async function deleteBranch(gitlab: GitLabClient, projectId: number | string, branch: string): Promise<void> {
  await gitlab.request('DELETE', `${projectPath(projectId)}/repository/branches/${encodeURIComponent(branch)}`);
}

/**
 * Cherry-picks `sha` onto `branch`; false when GitLab cannot do it automatically (400: a conflict,
 * or nothing left to pick).
 */
export async function cherryPick(gitlab: GitLabClient, projectId: number | string, sha: string, branch: string): Promise<boolean> {
  try {
    await gitlab.request('POST', `${projectPath(projectId)}/repository/commits/${sha}/cherry_pick`, { body: { branch } });
    return true;
  } catch (error) {
    if (error instanceof GitLabApiError && error.status === 400) return false;
    throw error;
  }
}

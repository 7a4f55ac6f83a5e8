// Commit statuses: what rulebot says about a commit, shown by GitLab beside its pipelines.
import { projectPath } from './project-path.js';

export type CommitState = 'pending' | 'running' | 'success' | 'failed' | 'canceled';

export interface CommitStatus {
  state: CommitState;
  /** Distinguishes this status from those of other tools, e.g. `rulebot/config`. */
  name: string;
  /** GitLab keeps at most 255 characters. */
  description: string;
  /** The branch the status is about: for a merge request, its source branch. */
  ref?: string | undefined;
  target_url?: string | undefined;
}

/** GitLab refuses a description, ref or target URL longer than this. */
export const STATUS_FIELD_MAX = 255;

/** The request that sets a commit status: `POST /projects/:id/statuses/:sha` (doc/api/commits.md). */
export function commitStatusRequest(project: number | string, sha: string, status: CommitStatus): { path: string; body: Record<string, unknown> } {
  // GitLab counts characters, not UTF-16 units.
  const characters = Array.from(status.description);
  const description = characters.length > STATUS_FIELD_MAX ? `${characters.slice(0, STATUS_FIELD_MAX - 1).join('')}…` : status.description;
  return {
    path: `${projectPath(project)}/statuses/${encodeURIComponent(sha)}`,
    body: {
      state: status.state,
      name: status.name,
      description,
      ...(status.ref && { ref: status.ref }),
      ...(status.target_url && { target_url: status.target_url }),
    },
  };
}

// Merge request reads: the changed files of one version.
import type { GitLabClient } from './client.js';
import { projectPath } from './project-path.js';
import { DiffSchema, type Diff } from './schemas.js';

/** `GET /projects/:id/merge_requests/:iid/diffs`, every page (100 per page). */
export async function listMergeRequestDiffs(gitlab: GitLabClient, project: number | string, iid: number): Promise<Diff[]> {
  const diffs: Diff[] = [];
  const path = `${projectPath(project)}/merge_requests/${iid}/diffs`;
  for await (const diff of gitlab.paginate(path, { schema: DiffSchema.array() })) diffs.push(diff);
  return diffs;
}

// Finding a milestone by its title, among the project's and its groups' milestones.
import { z } from 'zod';
import type { GitLabClient } from './client.js';
import { projectPath } from './project-path.js';

const MilestonesSchema = z.array(z.object({ id: z.number(), title: z.string(), state: z.string().optional() }));

/**
 * The id of the active milestone titled exactly `title`, for `milestone_id`; group milestones are
 * included (`include_ancestors`). https://docs.gitlab.com/api/milestones/#list-project-milestones
 */
export async function findMilestone(gitlab: GitLabClient, projectId: number | string, title: string): Promise<number | undefined> {
  const list = await gitlab.request('GET', `${projectPath(projectId)}/milestones`, {
    query: { title, state: 'active', include_ancestors: 'true' },
    schema: MilestonesSchema,
  });
  return list.find((milestone) => milestone.title === title)?.id;
}

// Project and group labels: listing, creating and updating them, and whether one exists.
// https://docs.gitlab.com/api/labels/, https://docs.gitlab.com/api/group_labels/
import { z } from 'zod';
import { GitLabApiError } from '../errors.js';
import type { GitLabClient } from './client.js';
import { projectPath } from './project-path.js';

const LabelSchema = z.object({ id: z.number(), name: z.string(), color: z.string(), description: z.string().nullish() });
export type Label = z.infer<typeof LabelSchema>;

/** `/projects/:id` or `/groups/:id`, the owner of labels. */
export function labelOwner(scope: { project: string } | { group: string }): string {
  return 'project' in scope ? projectPath(scope.project) : `/groups/${encodeURIComponent(scope.group)}`;
}

/** The owner's own labels (not those it inherits from groups above it). */
export async function listLabels(gitlab: GitLabClient, owner: string): Promise<Label[]> {
  const labels: Label[] = [];
  for await (const label of gitlab.paginate(`${owner}/labels`, { query: { include_ancestor_groups: 'false' }, schema: LabelSchema.array() })) labels.push(label);
  return labels;
}

export async function createLabel(gitlab: GitLabClient, owner: string, label: { name: string; color: string; description?: string | undefined }): Promise<void> {
  await gitlab.request('POST', `${owner}/labels`, { body: { name: label.name, color: label.color, ...(label.description !== undefined && { description: label.description }) } });
}

export async function updateLabel(gitlab: GitLabClient, owner: string, id: number, change: { color: string; description?: string | undefined }): Promise<void> {
  await gitlab.request('PUT', `${owner}/labels/${id}`, { body: { color: change.color, ...(change.description !== undefined && { description: change.description }) } });
}

/** Whether the project has the label, its groups' labels included (404 when not). */
export async function projectHasLabel(gitlab: GitLabClient, projectId: number | string, name: string): Promise<boolean> {
  try {
    await gitlab.request('GET', `${projectPath(projectId)}/labels/${encodeURIComponent(name)}`, { schema: LabelSchema });
    return true;
  } catch (error) {
    if (error instanceof GitLabApiError && error.status === 404) return false;
    throw error;
  }
}

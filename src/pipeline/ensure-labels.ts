// Before an action adds a label declared in the rule files, it makes sure the label exists, with its color.
import { createLabel, projectHasLabel, projectPath, type GitLabClient } from '../gitlab/index.js';
import type { LabelSpec } from '../rules/index.js';
import type { ApiCall } from './api-call.js';

/** Labels known to exist, per project, remembered until restart (`project:name`). */
export class KnownLabels {
  private readonly entries = new Set<string>();
  has(projectId: number, name: string): boolean {
    return this.entries.has(`${projectId}:${name}`);
  }
  add(projectId: number, name: string): void {
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.add(`${projectId}:${name}`);
  }
}

/**
 * For each declared label an edit adds, asks GitLab once whether it exists (project or group) and
 * creates it in the project with its color and description if not; GitLab would otherwise create
 * it with a default color. In dry-run nothing is created. Returns what was created.
 */
export async function ensureDeclaredLabels(
  calls: readonly ApiCall[],
  projectId: number,
  declared: ReadonlyMap<string, LabelSpec>,
  deps: { gitlab: GitLabClient; known: KnownLabels; dryRun: boolean },
): Promise<string[]> {
  if (declared.size === 0) return [];
  const created: string[] = [];
  for (const call of calls) {
    const added = call.kind === 'edit' && typeof call.body['add_labels'] === 'string' ? call.body['add_labels'].split(',') : [];
    for (const name of added) {
      const spec = declared.get(name);
      if (!spec || deps.known.has(projectId, name)) continue;
      if (!(await projectHasLabel(deps.gitlab, projectId, name))) {
        if (deps.dryRun) continue;
        await createLabel(deps.gitlab, projectPath(projectId), spec);
        created.push(name);
      }
      deps.known.add(projectId, name);
    }
  }
  return created;
}

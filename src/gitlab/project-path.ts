// Builds API paths for a project, its merge requests and its issues.

/** `/projects/:id` with the id URL-encoded (a `path_with_namespace` such as `group/sub/project` works too). */
export function projectPath(project: number | string): string {
  return `/projects/${encodeURIComponent(String(project))}`;
}

export type NoteableType = 'merge_request' | 'issue';

/** `/projects/:id/merge_requests/:iid` or `/projects/:id/issues/:iid`. */
export function noteablePath(project: number | string, type: NoteableType, iid: number): string {
  return `${projectPath(project)}/${type === 'merge_request' ? 'merge_requests' : 'issues'}/${iid}`;
}

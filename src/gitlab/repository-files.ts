// Repository files: a file's raw text at a branch, tag or commit, with the blob and commits GitLab names in its headers.
import { GitLabApiError } from '../errors.js';
import type { GitLabClient } from './client.js';
import { projectPath } from './project-path.js';

export interface RepositoryFile {
  text: string;
  /** `X-Gitlab-Blob-Id`: the same content has the same blob id. */
  blobId: string | undefined;
  /** `X-Gitlab-Commit-Id`: the commit the ref pointed to. */
  commitId: string | undefined;
  /** `X-Gitlab-Last-Commit-Id`: the last commit that changed this file. */
  lastCommitId: string | undefined;
}

/** The file, or why GitLab has none to give (404: no such file, ref or project, in GitLab's words), or how large it is when too large. */
export type FileRead = { file: RepositoryFile } | { missing: string } | { tooLarge: string };

/**
 * `GET /projects/:id/repository/files/:file_path/raw?ref=` (doc/api/repository_files.md). Without
 * `ref`, GitLab reads the default branch. A file larger than `maxBytes` is not read: its answer is cut
 * off at its `Content-Length` or as it arrives. Other errors (403, 5xx) are thrown.
 */
export async function readRepositoryFile(
  gitlab: GitLabClient,
  project: number | string,
  path: string,
  options: { ref?: string | undefined; maxBytes: number },
): Promise<FileRead> {
  const url = `${projectPath(project)}/repository/files/${encodeURIComponent(path)}/raw`;
  try {
    const { text, headers } = await gitlab.requestText(url, { query: { ref: options.ref }, maxBytes: options.maxBytes });
    const header = (name: string) => headers.get(name) ?? undefined;
    return { file: { text, blobId: header('x-gitlab-blob-id'), commitId: header('x-gitlab-commit-id'), lastCommitId: header('x-gitlab-last-commit-id') } };
  } catch (error) {
    if (!(error instanceof GitLabApiError)) throw error;
    // GitLab answers 404 for a missing file, ref or project alike, naming which in its message.
    if (error.status === 404) return { missing: error.message.replace(/^GET \S+: /, '') };
    if (error.status === 413) return { tooLarge: error.message.replace(/^GET \S+: /, '') };
    throw error;
  }
}

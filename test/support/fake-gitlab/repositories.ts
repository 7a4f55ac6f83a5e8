// Git repositories of the fake's projects: commits holding whole file trees, branches pointing at them.

import { createHash } from 'node:crypto';
import type { FakeCommit } from './types.js';

/** A commit to make: files to write (text) or delete (null) on a branch, which is created when new. */
export interface CommitSeed {
  branch: string;
  files: Record<string, string | null>;
  message?: string;
  /** Where a new branch starts (default: the project's default branch, or nothing in an empty repository). */
  startBranch?: string;
}

interface Repository {
  branches: Map<string, string>;
  commits: Map<string, FakeCommit>;
}

export class Repositories {
  private readonly byProject = new Map<number, Repository>();

  /**
   * Makes a commit and moves its branch to it. `added`, `modified` and `removed` are worked out against
   * the commit before it, as a push hook lists them; deleting a file that does not exist is an error.
   */
  commit(projectId: number, defaultBranch: string, seed: CommitSeed, now: string): FakeCommit {
    const repository = this.repository(projectId);
    const parentId = repository.branches.get(seed.branch) ?? repository.branches.get(seed.startBranch ?? defaultBranch);
    const parent = parentId === undefined ? undefined : repository.commits.get(parentId);
    const files = new Map(parent?.files ?? []);
    const changes = { added: [] as string[], modified: [] as string[], removed: [] as string[] };
    for (const [path, text] of Object.entries(seed.files)) {
      if (text === null) {
        if (!files.delete(path)) throw new Error(`commit: ${path} does not exist on ${seed.branch}, so it cannot be removed`);
        changes.removed.push(path);
      } else {
        (files.has(path) ? changes.modified : changes.added).push(path);
        files.set(path, text);
      }
    }
    const id = createHash('sha1').update(`${projectId}\0${parentId ?? ''}\0${JSON.stringify(seed)}\0${repository.commits.size}`).digest('hex');
    const commit: FakeCommit = { id, parent_id: parentId ?? null, message: seed.message ?? `Update ${Object.keys(seed.files).join(', ')}`, files, ...changes, created_at: now };
    repository.commits.set(id, commit);
    repository.branches.set(seed.branch, id);
    return commit;
  }

  /**
   * The commit a ref names, as GitLab resolves it: a branch name, or a commit id (the whole id or an
   * unambiguous prefix of at least 7 characters). Undefined for an unknown ref or an empty repository.
   */
  resolve(projectId: number, ref: string): FakeCommit | undefined {
    const repository = this.byProject.get(projectId);
    if (!repository) return undefined;
    const branch = repository.branches.get(ref);
    if (branch !== undefined) return repository.commits.get(branch);
    if (!/^[0-9a-f]{7,40}$/.test(ref)) return undefined;
    const matches = [...repository.commits.values()].filter((commit) => commit.id.startsWith(ref));
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** Branches whose history holds the commit, by name. */
  branchesContaining(projectId: number, sha: string): string[] {
    const repository = this.byProject.get(projectId);
    if (!repository) return [];
    return [...repository.branches.entries()]
      .filter(([, head]) => {
        for (let id: string | null = head; id !== null; id = repository.commits.get(id)?.parent_id ?? null) if (id === sha) return true;
        return false;
      })
      .map(([name]) => name)
      .sort();
  }

  /** The last commit reachable from `from` that changed `path`. */
  lastCommitFor(projectId: number, from: FakeCommit, path: string): FakeCommit {
    const commits = this.repository(projectId).commits;
    let current: FakeCommit | undefined = from;
    while (current) {
      const parent: FakeCommit | undefined = current.parent_id === null ? undefined : commits.get(current.parent_id);
      if (parent === undefined || parent.files.get(path) !== current.files.get(path)) return current;
      current = parent;
    }
    return from;
  }

  private repository(projectId: number): Repository {
    let repository = this.byProject.get(projectId);
    if (!repository) this.byProject.set(projectId, (repository = { branches: new Map(), commits: new Map() }));
    return repository;
  }
}

/** Git's blob id of a text: the SHA-1 of `blob <size>\0<content>`. */
export function blobId(text: string): string {
  const content = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

// In-memory state of one fake GitLab: users, projects, merge requests, issues and notes, with seeding defaults.

import { createHash } from 'node:crypto';
import { isDraftTitle } from './issuable-change.js';
import type { FakeIssue, FakeMergeRequest, FakeNote, FakeProject, FakeUser } from './types.js';

type NoteableType = FakeNote['noteable_type'];

/** A stored merge request or issue with its global `id` (distinct from the per-project `iid`). */
export interface Stored<T> {
  id: number;
  record: T;
}

/** Seed for a note: where it goes and what it says; the rest has defaults. */
export type NoteSeed = Partial<FakeNote> & Pick<FakeNote, 'project_id' | 'noteable_type' | 'noteable_iid' | 'body'>;

/** A fresh GitLab instance has its administrator as user 1; authors default to it. */
const ROOT_USER: FakeUser = { id: 1, username: 'root', name: 'Administrator' };

// Global ids start far from iids so that a client mixing up `id` and `iid` fails visibly.
const FIRST_ID: Readonly<Record<'mergeRequest' | 'issue' | 'note', number>> = {
  mergeRequest: 10_001,
  issue: 20_001,
  note: 30_001,
};

export class FakeGitLabStore {
  private readonly users = new Map<number, FakeUser>();
  private readonly projects = new Map<number, FakeProject>();
  private readonly mergeRequests = new Map<string, Stored<FakeMergeRequest>>();
  private readonly issues = new Map<string, Stored<FakeIssue>>();
  private readonly allNotes: FakeNote[] = [];
  private readonly nextId = { ...FIRST_ID };

  constructor(readonly botUser: FakeUser) {
    this.addUser(ROOT_USER);
    this.addUser(botUser);
  }

  addUser(user: FakeUser): FakeUser {
    const stored = { ...user, name: user.name ?? user.username };
    this.users.set(user.id, stored);
    return stored;
  }

  user(id: number): FakeUser | undefined {
    return this.users.get(id);
  }

  /** Usernames are case-insensitive in GitLab. */
  userByUsername(username: string): FakeUser | undefined {
    const wanted = username.toLowerCase();
    return [...this.users.values()].find((user) => user.username.toLowerCase() === wanted);
  }

  listUsers(): FakeUser[] {
    return [...this.users.values()].sort((a, b) => a.id - b.id);
  }

  addProject(project: FakeProject): void {
    this.projects.set(project.id, { ...project });
  }

  /** Resolve a project by numeric id or by `path_with_namespace` (case-insensitive, as GitLab does). */
  project(ref: string | number): FakeProject | undefined {
    if (typeof ref === 'number' || /^\d+$/.test(ref)) return this.projects.get(Number(ref));
    const wanted = ref.toLowerCase();
    return [...this.projects.values()].find((project) => project.path_with_namespace.toLowerCase() === wanted);
  }

  addMergeRequest(seed: Partial<FakeMergeRequest> & { project_id: number; iid: number }): FakeMergeRequest {
    this.requireProject(seed.project_id, 'addMergeRequest');
    const now = new Date().toISOString();
    const title = seed.title ?? `Merge request !${seed.iid}`;
    const record: FakeMergeRequest = {
      title,
      description: '',
      state: 'opened',
      labels: [],
      assignee_ids: [],
      reviewer_ids: [],
      source_branch: `feature-${seed.iid}`,
      target_branch: 'main',
      author_id: ROOT_USER.id,
      draft: isDraftTitle(title),
      diffs: [],
      sha: createHash('sha1').update(`${seed.project_id}!${seed.iid}`).digest('hex'),
      created_at: now,
      updated_at: now,
      ...seed,
    };
    this.requireUsers([record.author_id, ...record.assignee_ids, ...record.reviewer_ids], 'addMergeRequest');
    this.mergeRequests.set(key(record.project_id, record.iid), { id: this.nextId.mergeRequest++, record });
    return record;
  }

  addIssue(seed: Partial<FakeIssue> & { project_id: number; iid: number }): FakeIssue {
    this.requireProject(seed.project_id, 'addIssue');
    const now = new Date().toISOString();
    const record: FakeIssue = {
      title: `Issue #${seed.iid}`,
      description: '',
      state: 'opened',
      labels: [],
      assignee_ids: [],
      author_id: ROOT_USER.id,
      created_at: now,
      updated_at: now,
      ...seed,
    };
    this.requireUsers([record.author_id, ...record.assignee_ids], 'addIssue');
    this.issues.set(key(record.project_id, record.iid), { id: this.nextId.issue++, record });
    return record;
  }

  mergeRequest(projectId: number, iid: number): Stored<FakeMergeRequest> | undefined {
    return this.mergeRequests.get(key(projectId, iid));
  }

  issue(projectId: number, iid: number): Stored<FakeIssue> | undefined {
    return this.issues.get(key(projectId, iid));
  }

  noteable(type: NoteableType, projectId: number, iid: number): Stored<FakeMergeRequest | FakeIssue> | undefined {
    return type === 'MergeRequest' ? this.mergeRequest(projectId, iid) : this.issue(projectId, iid);
  }

  addNote(seed: NoteSeed): FakeNote {
    if (!this.noteable(seed.noteable_type, seed.project_id, seed.noteable_iid)) {
      throw new Error(`addNote: no ${seed.noteable_type} ${seed.project_id}/${seed.noteable_iid}; add it first`);
    }
    const note: FakeNote = {
      id: this.nextId.note++,
      author_id: ROOT_USER.id,
      internal: false,
      system: false,
      created_at: new Date().toISOString(),
      ...seed,
    };
    this.requireUsers([note.author_id], 'addNote');
    this.allNotes.push(note);
    return note;
  }

  /** Notes of one merge request or issue, oldest first. */
  notes(projectId: number, type: NoteableType, iid: number): FakeNote[] {
    return this.allNotes.filter(
      (note) => note.project_id === projectId && note.noteable_type === type && note.noteable_iid === iid,
    );
  }

  // Seeds must be consistent: a typo in a test should fail at the seed, not as a puzzling answer later.
  private requireProject(projectId: number, caller: string): void {
    if (!this.projects.has(projectId)) {
      throw new Error(`${caller}: unknown project ${projectId}; call addProject first`);
    }
  }

  private requireUsers(ids: number[], caller: string): void {
    const unknown = ids.filter((id) => !this.users.has(id));
    if (unknown.length > 0) throw new Error(`${caller}: unknown user id(s) ${unknown.join(', ')}; call addUser first`);
  }
}

function key(projectId: number, iid: number): string {
  return `${projectId}/${iid}`;
}

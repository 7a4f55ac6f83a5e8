// In-memory state of one fake GitLab: users, projects, groups, merge requests, issues, notes and what hangs off them.

import { Awards } from './awards.js';
import type { Clock } from './clock.js';
import { Hooks } from './hooks.js';
import { Tokens } from './tokens.js';
import { CommitStatuses } from './commit-statuses.js';
import { Repositories } from './repositories.js';
import { Memberships } from './memberships.js';
import { Milestones } from './milestones.js';
import { LabelRegistry } from './label-registry.js';
import { Pipelines } from './pipelines.js';
import {
  issueFromSeed,
  mergeRequestFromSeed,
  ROOT_USER,
  type IssueSeed,
  type MergeRequestSeed,
} from './seed-defaults.js';
import type { FakeGroup, FakeIssue, FakeMember, FakeMergeRequest, FakeNote, FakeProject, FakeUser } from './types.js';

type NoteableType = FakeNote['noteable_type'];

/** A stored merge request or issue with its global `id` (distinct from the per-project `iid`). */
export interface Stored<T> {
  id: number;
  record: T;
}

/** Seed for a note: where it goes and what it says; the rest has defaults. */
export type NoteSeed = Partial<FakeNote> & Pick<FakeNote, 'project_id' | 'noteable_type' | 'noteable_iid' | 'body'>;

// Global ids start far from iids so that a client mixing up `id` and `iid` fails visibly.
const FIRST_ID: Readonly<Record<'mergeRequest' | 'issue' | 'note', number>> = {
  mergeRequest: 10_001,
  issue: 20_001,
  note: 30_001,
};

export class FakeGitLabStore {
  readonly memberships = new Memberships();
  readonly awards = new Awards();
  readonly pipelines = new Pipelines();
  readonly milestones = new Milestones();
  readonly labels = new LabelRegistry();
  readonly tokens: Tokens;
  readonly hooks: Hooks;
  readonly repositories = new Repositories();
  readonly commitStatuses = new CommitStatuses();
  private readonly users = new Map<number, FakeUser>();
  private readonly projects = new Map<number, FakeProject>();
  private readonly mergeRequests = new Map<string, Stored<FakeMergeRequest>>();
  private readonly issues = new Map<string, Stored<FakeIssue>>();
  /** Notes by noteable (`MergeRequest/1/2`), so that counting a noteable's notes stays cheap. */
  private readonly notesByNoteable = new Map<string, FakeNote[]>();
  private readonly nextId = { ...FIRST_ID };

  constructor(
    readonly botUser: FakeUser,
    private readonly clock: Clock,
  ) {
    this.addUser(ROOT_USER);
    this.addUser(botUser);
    this.tokens = new Tokens(clock, botUser.id);
    this.hooks = new Hooks(clock);
  }

  /** Today as GitLab writes dates, and now in ms, on the fake's clock. */
  today(): string {
    return this.clock.today();
  }

  nowMs(): number {
    return this.clock.ms();
  }

  /** The fake's current time, as GitLab writes timestamps. */
  now(): string {
    return this.clock.iso();
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

  addGroup(group: FakeGroup): void {
    this.memberships.addGroup(group);
  }

  addProject(project: FakeProject): void {
    const groupId = project.namespace_group_id;
    if (groupId !== undefined && !this.memberships.group(groupId)) {
      throw new Error(`addProject: unknown group ${groupId}; call addGroup first`);
    }
    this.projects.set(project.id, { ...project });
  }

  /** Resolve a project by numeric id or by `path_with_namespace` (case-insensitive, as GitLab does). */
  project(ref: string | number): FakeProject | undefined {
    if (typeof ref === 'number' || /^\d+$/.test(ref)) return this.projects.get(Number(ref));
    const wanted = ref.toLowerCase();
    return [...this.projects.values()].find((project) => project.path_with_namespace.toLowerCase() === wanted);
  }

  listProjects(): FakeProject[] {
    return [...this.projects.values()];
  }

  addMember(projectId: number, member: FakeMember): void {
    this.requireProject(projectId, 'addMember');
    this.requireUsers([member.user_id], 'addMember');
    this.memberships.addProjectMember(projectId, member, 'addMember');
  }

  addGroupMember(groupRef: number | string, member: FakeMember): void {
    const group = this.memberships.group(groupRef);
    if (!group) throw new Error(`addGroupMember: unknown group ${groupRef}; call addGroup first`);
    this.requireUsers([member.user_id], 'addGroupMember');
    this.memberships.addGroupMember(group.id, member, 'addGroupMember');
  }

  addMergeRequest(seed: MergeRequestSeed): FakeMergeRequest {
    this.requireProject(seed.project_id, 'addMergeRequest');
    const record = mergeRequestFromSeed(seed, this.now());
    this.requireUsers([record.author_id, ...record.assignee_ids, ...record.reviewer_ids], 'addMergeRequest');
    this.mergeRequests.set(key(record.project_id, record.iid), { id: this.nextId.mergeRequest++, record });
    return record;
  }

  addIssue(seed: IssueSeed): FakeIssue {
    this.requireProject(seed.project_id, 'addIssue');
    const record = issueFromSeed(seed, this.now());
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

  /** Every merge request of every project, in seeding order. */
  allMergeRequests(): IterableIterator<Stored<FakeMergeRequest>> {
    return this.mergeRequests.values();
  }

  allIssues(): IterableIterator<Stored<FakeIssue>> {
    return this.issues.values();
  }

  noteable(type: NoteableType, projectId: number, iid: number): Stored<FakeMergeRequest | FakeIssue> | undefined {
    return type === 'MergeRequest' ? this.mergeRequest(projectId, iid) : this.issue(projectId, iid);
  }

  /** Seeding a note leaves its noteable's `updated_at` alone; creating one through the API does not. */
  addNote(seed: NoteSeed): FakeNote {
    if (!this.noteable(seed.noteable_type, seed.project_id, seed.noteable_iid)) {
      throw new Error(`addNote: no ${seed.noteable_type} ${seed.project_id}/${seed.noteable_iid}; add it first`);
    }
    const note: FakeNote = {
      id: this.nextId.note++,
      author_id: ROOT_USER.id,
      internal: false,
      system: false,
      created_at: this.now(),
      ...seed,
    };
    this.requireUsers([note.author_id], 'addNote');
    const noteKey = `${note.noteable_type}/${key(note.project_id, note.noteable_iid)}`;
    const notes = this.notesByNoteable.get(noteKey) ?? [];
    notes.push(note);
    this.notesByNoteable.set(noteKey, notes);
    return note;
  }

  /** Notes of one merge request or issue, oldest first; a copy the caller may sort. */
  notes(projectId: number, type: NoteableType, iid: number): FakeNote[] {
    return [...(this.notesByNoteable.get(`${type}/${key(projectId, iid)}`) ?? [])];
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

// Seeding and inspecting a fake GitLab's state: the half of FakeGitLab's API that needs no server.

import { Clock } from './clock.js';
import type { IssueSeed, MergeRequestSeed } from './seed-defaults.js';
import { FakeGitLabStore, type NoteSeed } from './store.js';
import type {
  FakeAward,
  FakeGitLabOptions,
  FakeGroup,
  FakeIssue,
  FakeMember,
  FakeMergeRequest,
  FakeNote,
  FakePipeline,
  FakeProject,
  FakeUser,
} from './types.js';

export class FakeGitLabState {
  protected readonly store: FakeGitLabStore;
  private readonly clock: Clock;

  constructor(options: FakeGitLabOptions = {}) {
    this.clock = new Clock(options.now);
    this.store = new FakeGitLabStore(options.botUser ?? { id: 99, username: 'rulebot', name: 'rulebot' }, this.clock);
  }

  /**
   * Pin the fake's clock (seed defaults, `updated_at` of changes, `created_at` of notes and
   * pipelines) to `date`; `undefined` returns to the `now` option or the real clock.
   */
  setNow(date: Date | undefined): void {
    this.clock.set(date);
  }

  /** Add or replace a user (by id). `name` defaults to the username. */
  addUser(user: FakeUser): FakeUser {
    return this.store.addUser(user);
  }

  /** Add or replace a group (by id). A subgroup is a group whose `full_path` extends another's. */
  addGroup(group: FakeGroup): void {
    this.store.addGroup(group);
  }

  /** Add or replace a project; a `namespace_group_id` must name a group added before. */
  addProject(project: FakeProject): void {
    this.store.addProject(project);
  }

  /**
   * Make a user a member of a project, replacing an earlier membership there. With
   * `inherited_from_group` the membership only shows in `…/members/all`, as one inherited would.
   * @example gitlab.addMember(1, { user_id: 10, access_level: 30 }) // alice is a developer
   */
  addMember(projectId: number, member: FakeMember): void {
    this.store.addMember(projectId, member);
  }

  /** Make a user a member of a group (by id or full path): it applies to every project beneath. */
  addGroupMember(group: number | string, member: FakeMember): void {
    this.store.addGroupMember(group, member);
  }

  /**
   * Add a merge request; its project and users must exist. Defaults: open, not draft (unless the
   * title says so), no labels or people, `feature-<iid>` into `main`, authored by root (user 1),
   * created now and updated when created. Cheap enough to seed tens of thousands.
   */
  addMergeRequest(mergeRequest: MergeRequestSeed): FakeMergeRequest {
    return this.store.addMergeRequest(mergeRequest);
  }

  /** Add an issue; its project and users must exist. Defaults: open, no labels, authored by root. */
  addIssue(issue: IssueSeed): FakeIssue {
    return this.store.addIssue(issue);
  }

  /** Add an existing comment, e.g. one the bot left earlier. Defaults: by root, public, now. */
  addNote(note: NoteSeed): FakeNote {
    return this.store.addNote(note);
  }

  /** The live merge request, as changed by the requests so far. */
  mergeRequest(projectId: number, iid: number): FakeMergeRequest | undefined {
    return this.store.mergeRequest(projectId, iid)?.record;
  }

  issue(projectId: number, iid: number): FakeIssue | undefined {
    return this.store.issue(projectId, iid)?.record;
  }

  /** Notes of one merge request or issue, oldest first. */
  notes(projectId: number, kind: FakeNote['noteable_type'], iid: number): FakeNote[] {
    return this.store.notes(projectId, kind, iid);
  }

  /** Emoji reactions on one note of a merge request or issue, oldest first; none for an unknown note. */
  awards(projectId: number, kind: FakeNote['noteable_type'], iid: number, noteId: number): FakeAward[] {
    const onNoteable = this.store.notes(projectId, kind, iid).some((note) => note.id === noteId);
    if (!onNoteable) return [];
    return this.store.awards.list(noteId).map(({ name, user_id }) => ({ name, user_id }));
  }

  /** Gives an emoji reaction on a note as `userId`, as GitLab would (once per user and emoji). */
  addAward(noteId: number, name: string, userId: number): void {
    this.store.awards.add(noteId, name, userId, new Date().toISOString());
  }

  /** Labels defined in a project (`project:ID`) or group (`group:ID`), as `GET …/labels` lists them. */
  definedLabels(owner: string): { id: number; name: string; color: string; description: string | null }[] {
    return this.store.labels.list(owner);
  }

  /** Define a label in a project (`project:ID`) or group (`group:ID`). */
  defineLabel(owner: string, name: string, color: string, description: string | null = null): void {
    this.store.labels.add(owner, { name, color, description });
  }

  /** Add a milestone to a project; merge requests and issues then take it by `milestone_id`. */
  addMilestone(projectId: number, title: string, state: 'active' | 'closed' = 'active'): number {
    return this.store.milestones.add({ project_id: projectId, title, state }).id;
  }

  /** Pipelines created in a project, oldest first. */
  pipelines(projectId: number): FakePipeline[] {
    return this.store.pipelines.list(projectId);
  }
}

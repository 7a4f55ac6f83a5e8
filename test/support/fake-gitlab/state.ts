// Seeding and inspecting a fake GitLab's state: the half of FakeGitLab's API that needs no server.

import { Clock } from './clock.js';
import type { CommitSeed } from './repositories.js';
import type { IssueSeed, MergeRequestSeed } from './seed-defaults.js';
import { FakeGitLabStore, type NoteSeed } from './store.js';
import type { HookDelivery } from './hooks.js';
import type {
  FakeAccessToken,
  FakeAward,
  FakeHook,
  FakeOAuthApplication,
  HookSeed,
  TokenSeed,
  FakeCommit,
  FakeCommitStatus,
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

  /**
   * Adds a token the fake accepts. Defaults: a personal access token with the `api` scope that never
   * expires, acting as the bot user. The `token` option of the constructor is added this way.
   * @example gitlab.addToken({ token: 'glpat-soon', expires_at: '2026-05-04', scopes: ['api'] })
   */
  addToken(seed: TokenSeed): FakeAccessToken {
    return this.store.tokens.add(seed);
  }

  /** A token by its value, as changed by rotations (revoked, or still active). */
  token(value: string): FakeAccessToken | undefined {
    return this.store.tokens.find(value);
  }

  /** Every token, in the order they were made (rotations add the new ones last). */
  tokens(): FakeAccessToken[] {
    return this.store.tokens.all();
  }

  /** Whether GitLab would accept this token now. */
  tokenActive(value: string): boolean {
    const token = this.store.tokens.find(value);
    return token !== undefined && this.store.tokens.active(token);
  }

  /** Called when a token rotates itself, after GitLab made the new token and before it answers. */
  onRotate(listener: ((old: FakeAccessToken, fresh: FakeAccessToken) => void) | undefined): void {
    this.store.tokens.onRotate = listener;
  }

  /** An OAuth application authorised once: `refresh_token` is the refresh token it handed out. */
  addOAuthApplication(application: Pick<FakeOAuthApplication, 'client_id' | 'client_secret' | 'refresh_token'>): void {
    this.store.tokens.addApplication({ ...application, spent: [], refreshes: 0 });
  }

  /** The application's current state: its refresh token, the access token issued with it, refreshes made. */
  oauthApplication(clientId: string): FakeOAuthApplication | undefined {
    return this.store.tokens.applicationById(clientId);
  }

  /** Seconds an OAuth access token issued from now on lasts (GitLab: 7200). */
  setOAuthLifetime(seconds: number): void {
    this.store.tokens.oauthLifetimeSeconds = seconds;
  }

  /** Revokes a token, as a person would in Settings > Access tokens. */
  revokeToken(value: string): void {
    const token = this.store.tokens.find(value);
    if (!token) throw new Error(`revokeToken: no token ${value}`);
    token.revoked = true;
  }

  /** Adds a project or group webhook; defaults: executable, merge request, issue and note events. */
  addHook(seed: HookSeed): FakeHook {
    return this.store.hooks.add(seed);
  }

  hook(id: number): FakeHook | undefined {
    return this.store.hooks.get(id);
  }

  /** Disables a hook as GitLab does after repeated failures: `temporarily` (until a minute from now) or `permanently`. */
  disableHook(id: number, how: 'temporarily' | 'permanently'): void {
    this.store.hooks.disable(id, how);
  }

  /** How test deliveries reach the hook's URL (default `fetch`). */
  setHookDelivery(deliver: HookDelivery): void {
    this.store.hooks.deliver = deliver;
  }

  /** Pipelines created in a project, oldest first. */
  pipelines(projectId: number): FakePipeline[] {
    return this.store.pipelines.list(projectId);
  }

  /**
   * Commits to a project's repository: writes (text) or deletes (null) files on a branch, created from
   * the default branch when new. Returns the commit, with what it added, modified and removed, for a
   * push hook's payload.
   * @example gitlab.commitFiles(1, { branch: 'main', files: { '.gitlab/rulebot.yml': 'rules: []' } })
   */
  commitFiles(projectId: number, seed: Omit<CommitSeed, 'branch'> & { branch?: string }): FakeCommit {
    const project = this.store.project(projectId);
    if (!project) throw new Error(`commitFiles: unknown project ${projectId}; call addProject first`);
    const defaultBranch = project.default_branch ?? 'main';
    return this.store.repositories.commit(projectId, defaultBranch, { ...seed, branch: seed.branch ?? defaultBranch }, this.store.now());
  }

  /** A file's text at a branch or commit (default: the default branch), or undefined. */
  repositoryFile(projectId: number, path: string, ref?: string): string | undefined {
    const project = this.store.project(projectId);
    const commit = project && this.store.repositories.resolve(projectId, ref ?? project.default_branch ?? 'main');
    return commit?.files.get(path);
  }

  /** Commit statuses set in a project (on one commit), oldest first. */
  commitStatuses(projectId: number, sha?: string): FakeCommitStatus[] {
    return this.store.commitStatuses.list(projectId, sha);
  }
}

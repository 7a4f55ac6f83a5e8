// Public shapes of the fake GitLab: the state tests seed and inspect, and the requests it records.

/** A GitLab user as the fake knows it. */
export interface FakeUser {
  id: number;
  username: string;
  name?: string;
}

/**
 * A project. Its group (for inherited membership and group lists) is `namespace_group_id` when
 * given, otherwise the seeded group whose `full_path` is the project's path without its last part.
 */
export interface FakeProject {
  id: number;
  path_with_namespace: string;
  namespace_group_id?: number;
  /** Premium: merge requests are merged through a merge train (default false). */
  merge_trains_enabled?: boolean;
  /** Branches of the repository by name, with their head commit (for backports). */
  branches?: Record<string, string>;
  /** Commits whose cherry-pick conflicts, whatever the branch. */
  cherry_pick_conflicts?: string[];
  /** Commits cherry-picked through the API: `{sha, branch, new sha}`. */
  cherry_picks?: { sha: string; branch: string; id: string }[];
  /** Default `main`. Its repository is empty until a commit is made (`commitFiles`). */
  default_branch?: string;
}

/** A commit of a project's repository: the whole file tree after it, and what it changed. */
export interface FakeCommit {
  id: string;
  parent_id: string | null;
  message: string;
  files: ReadonlyMap<string, string>;
  added: string[];
  modified: string[];
  removed: string[];
  created_at: string;
}

/** A commit status set through `POST /projects/:id/statuses/:sha`. */
export interface FakeCommitStatus {
  id: number;
  project_id: number;
  sha: string;
  ref: string;
  status: 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped';
  name: string;
  description: string | null;
  target_url: string | null;
  author_id: number;
  created_at: string;
}

/** A group; `a/b` is a subgroup of `a` when both are seeded. */
export interface FakeGroup {
  id: number;
  full_path: string;
}

/**
 * A membership of a project or group. `access_level`: 10 guest, 15 planner, 20 reporter,
 * 30 developer, 40 maintainer, 50 owner.
 */
export interface FakeMember {
  user_id: number;
  access_level: number;
  /**
   * Project memberships only: pretend it comes from this group (a full path) without seeding the
   * group, so that `…/members/all/:user_id` finds it and `…/members/:user_id` does not.
   */
  inherited_from_group?: string;
}

/** One changed file of a merge request, as listed by `GET …/merge_requests/:iid/diffs`. */
export interface FakeDiff {
  old_path: string;
  new_path: string;
  diff: string;
  new_file?: boolean;
  renamed_file?: boolean;
  deleted_file?: boolean;
}

/** Live state of a merge request; the API representation is derived from it on every answer. */
export interface FakeMergeRequest {
  project_id: number;
  iid: number;
  title: string;
  description: string;
  state: 'opened' | 'closed' | 'merged' | 'locked';
  labels: string[];
  assignee_ids: number[];
  reviewer_ids: number[];
  source_branch: string;
  target_branch: string;
  author_id: number;
  draft: boolean;
  diffs: FakeDiff[];
  sha: string;
  created_at: string;
  updated_at: string;
  /** Set when merged; seeding `state: 'merged'` without it uses `updated_at`. */
  merged_at: string | null;
  /** Set when closed; seeding `state: 'closed'` without it uses `updated_at`. */
  closed_at: string | null;
  /** Set by `PUT …/merge` with `auto_merge` (or `merge_when_pipeline_succeeds`); the MR stays open. */
  auto_merge: boolean;
  /** Who merged it or set auto-merge. */
  merge_user_id: number | null;
  squash: boolean;
  should_remove_source_branch: boolean | null;
  /** How many times `PUT …/rebase` was accepted. */
  rebase_count: number;
  /** Added to the merge train (`POST /projects/:id/merge_trains/merge_requests/:iid`). */
  on_merge_train?: boolean;
  /** The merge commit of a merged merge request. */
  merge_commit_sha?: string | null;
  /** GitLab's `detailed_merge_status` (default `mergeable`). */
  detailed_merge_status?: string;
  has_conflicts?: boolean;
  /** Status of the head pipeline; none when undefined or null. */
  head_pipeline_status?: string | null;
  /** Title of its milestone; none when undefined or null. */
  milestone?: string | null;
  /** Users who approved it, by id. */
  approved_by?: number[];
  /** Approvals the project's rules require (default 0). */
  approvals_required?: number;
  /** Its threads, as `GET …/discussions` lists them. */
  discussions?: FakeDiscussion[];
  discussion_locked?: boolean;
}

/** A thread of a merge request; `resolvable` threads count as unresolved until resolved. */
export interface FakeDiscussion {
  id: string;
  resolvable: boolean;
  resolved: boolean;
}

/** Live state of an issue. */
export interface FakeIssue {
  project_id: number;
  iid: number;
  title: string;
  description: string;
  state: 'opened' | 'closed';
  labels: string[];
  assignee_ids: number[];
  author_id: number;
  created_at: string;
  updated_at: string;
  /** Set when closed; seeding `state: 'closed'` without it uses `updated_at`. */
  closed_at: string | null;
  confidential?: boolean;
  /** `issue` (default), `incident`, `task`, … */
  issue_type?: string;
  milestone?: string | null;
  discussion_locked?: boolean;
  /** `YYYY-MM-DD`, or null. */
  due_date?: string | null;
}

/** A comment (note) on a merge request or an issue. */
export interface FakeNote {
  id: number;
  body: string;
  author_id: number;
  internal: boolean;
  system: boolean;
  noteable_type: 'MergeRequest' | 'Issue';
  noteable_iid: number;
  project_id: number;
  created_at: string;
  /** Set when the note was edited. */
  updated_at?: string;
}

/** An emoji reaction on a note, as `awards()` reports it. */
export interface FakeAward {
  name: string;
  user_id: number;
}

/** A pipeline created through `POST /projects/:id/pipeline`. */
export interface FakePipeline {
  id: number;
  iid: number;
  project_id: number;
  ref: string;
  sha: string;
  status: 'created';
  source: 'api';
  variables: { key: string; value: string; variable_type: 'env_var' | 'file' }[];
  user_id: number;
  created_at: string;
}

/** What the fake saw of one incoming request. */
export interface RecordedRequest {
  method: string;
  /**
   * Decoded pathname after `/api/v4`, e.g. `/projects/1/merge_requests/2`. An encoded slash stays
   * encoded, so a project sent as `group%2Fproject` reads `/projects/group%2Fproject`. Requests
   * outside `/api/v4` are recorded with their whole pathname.
   */
  path: string;
  /** Query parameters; a repeated name keeps its last value. */
  query: Record<string, string>;
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  /**
   * Parsed JSON, or the form fields (`a[]=1&a[]=2` becomes `{ a: ['1', '2'] }`), or the raw text
   * of any other (or unparseable) body, or `undefined` when there was none.
   */
  body: unknown;
}

/**
 * A canned misbehaviour for the next matching request(s), see `FakeGitLab.inject`.
 *
 * A fault that sets only `delayMs` slows the request down and then lets the fake answer normally.
 * Any other fault answers on its own: `status` (default 500) with `headers` and `body`.
 */
export interface Fault {
  /** HTTP method to match, any case; all methods when absent. */
  method?: string;
  /** Matched against `RecordedRequest.path`: a string must be equal, a RegExp must match. */
  path: RegExp | string;
  /** How many requests this fault answers; default 1, `Infinity` for all of them. */
  times?: number;
  /** Default 500. */
  status?: number;
  /** Sent on top of the usual headers, replacing those of the same name. */
  headers?: Record<string, string>;
  /**
   * JSON body; default `{"message": "<status> <reason phrase>"}` as GitLab answers. A string body
   * is sent verbatim when `headers` set a non-JSON `Content-Type` (an HTML page from a proxy).
   */
  body?: unknown;
  /** Wait this long before answering, so a client may time out. */
  delayMs?: number;
  /** Destroy the socket without answering (the client sees a connection reset). */
  reset?: boolean;
  /** Carry the request out, then destroy the socket instead of answering: GitLab acted, the answer was lost. */
  resetAfterActing?: boolean;
}

/** Options of `new FakeGitLab(…)`. */
export interface FakeGitLabOptions {
  /** A personal access token accepted in any of the three auth headers (scope `api`, never expires; more with `addToken`). Default `"test-token"`. */
  token?: string;
  /** The user the token belongs to (`GET /user`). Default `{ id: 99, username: "rulebot" }`. */
  botUser?: FakeUser;
  /** Largest `per_page` honoured by paginated lists. Default 100, like GitLab. */
  perPageMax?: number;
  /** Requests allowed before `RateLimit-Remaining` reaches 0. Default 2000 (GitLab.com). */
  rateLimit?: number;
  /**
   * The fake's clock, for `created_at`/`updated_at` of seeds and of what requests change.
   * Default `() => new Date()`, which follows vitest's fake timers. `setNow()` overrides it.
   */
  now?: () => Date;
}

/**
 * An access token the fake accepts: a personal, project or group access token (`personal`), an OAuth
 * access token, or a CI job token. Tokens rotated from one another share a `family`.
 */
export interface FakeAccessToken {
  id: number;
  /** The secret value, as sent in `PRIVATE-TOKEN`, `Authorization: Bearer` or `JOB-TOKEN`. */
  token: string;
  name: string;
  scopes: string[];
  /** `YYYY-MM-DD`: the token works while today (UTC) is before it; null: never expires. */
  expires_at: string | null;
  revoked: boolean;
  kind: 'personal' | 'oauth' | 'job';
  user_id: number;
  family: number;
  created_at: string;
  /** OAuth access tokens: when they stop working (epoch ms). */
  oauth_expires_at?: number;
}

/** Seed for a token: its value, and any of the rest (defaults: personal, scope `api`, never expires, the bot's). */
export type TokenSeed = Partial<Omit<FakeAccessToken, 'token' | 'revoked' | 'family' | 'created_at'>> & { token: string };

/** An OAuth application with one authorisation: the refresh token that is current, and those spent. */
export interface FakeOAuthApplication {
  client_id: string;
  client_secret: string;
  refresh_token: string;
  /** The access token issued with the current refresh token (revoked at the next refresh). */
  access_token?: string;
  spent: string[];
  /** Refreshes made. */
  refreshes: number;
}

/** A project or group webhook, with the state GitLab's auto-disabling gives it. */
export interface FakeHook {
  id: number;
  url: string;
  /** The secret token sent as `X-Gitlab-Token`. */
  token?: string;
  project_id?: number;
  group_id?: number;
  alert_status: 'executable' | 'temporarily_disabled' | 'disabled';
  disabled_until: string | null;
  merge_requests_events: boolean;
  issues_events: boolean;
  note_events: boolean;
  push_events: boolean;
  pipeline_events: boolean;
  resource_access_token_events: boolean;
  /** Test deliveries made (`POST …/test/:trigger`). */
  tests: number;
}

export type HookSeed = Partial<FakeHook> & Pick<FakeHook, 'id' | 'url'>;

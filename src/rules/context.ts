// What conditions are evaluated against: the event, plus facts that cost an API call and are read only when needed.
import type { RuleEvent } from '../event/event.js';

/** Facts not in the webhook payload. Each costs GitLab calls, so each is read only when a rule's outcome depends on it. */
export type Fact = 'diffs' | 'author' | 'subject' | 'access' | 'approvals' | 'discussions' | 'activity';

/** What `GET …/merge_requests/:iid` (or `…/issues/:iid`) tells beyond the payload; read with the `subject` fact. */
export interface SubjectDetails {
  /** GitLab's `detailed_merge_status` (merge requests). */
  merge_status?: string | undefined;
  has_conflicts?: boolean | undefined;
  /** Status of the head pipeline; undefined when there is none. */
  pipeline_status?: string | undefined;
  /** Title of the milestone; undefined when there is none. */
  milestone?: string | undefined;
  assignees: string[];
  reviewers: string[];
  confidential?: boolean | undefined;
  /** Lower case: `issue`, `incident`, `task`, … (issues only). */
  issue_type?: string | undefined;
}

/** Who approved a merge request (`GET …/merge_requests/:iid/approvals`). */
export interface ApprovalSummary {
  /** GitLab's own verdict: every required approval was given. */
  approved: boolean;
  usernames: string[];
}

export interface DiffSummary {
  /** Every path the merge request touches (new paths, plus old paths of renamed and deleted files). */
  paths: string[];
  /** Added plus removed lines over all diffs. */
  changedLines: number;
  /** True when GitLab left out the text of some diffs (too large, collapsed): `changedLines` is then a lower bound. */
  incomplete?: boolean;
}

export interface Facts {
  diffs?: DiffSummary;
  /** Username of the merge request's or issue's author. */
  authorUsername?: string;
  /** The acting user's access level in the project (0 when not a member), for `user: {access}`. */
  accessLevel?: number;
  /** Read with `subject`: the merge request's or issue's state beyond the payload. */
  details?: SubjectDetails;
  approvals?: ApprovalSummary;
  /** Threads not yet resolved (`GET …/discussions`). */
  unresolvedThreads?: number;
  /** Notes read newest first, by whom and when, down to the first one by someone whose activity counts. */
  activity?: ActivitySummary;
}

export interface ActivitySummary {
  /** Authors and times (ms) of the notes read, newest first, the bot's own left out. */
  notes: { username: string; at: number }[];
  /** True when every note was read (no note counted): the item's creation is then its last activity. */
  complete: boolean;
}

export interface MatchContext {
  event: RuleEvent;
  facts: Facts;
  /** Facts that some condition needed but were not there; filled by evaluation. */
  missing: Set<Fact>;
  /** When set, `args` conditions hold whatever the arguments (for listing the commands a user may run). */
  ignoreArgs?: boolean | undefined;
  /** The time conditions on age are measured from (ms since the epoch). */
  now: number;
}

/** Three-valued result: `undefined` means "unknown until a missing fact is read". */
export type Tri = boolean | undefined;

export type Evaluator = (ctx: MatchContext) => Tri;

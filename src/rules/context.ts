// What conditions are evaluated against: the event, plus facts that cost an API call and are read only when needed.
import type { RuleEvent } from '../event/event.js';

/** Facts not in the webhook payload. Each costs GitLab calls, so each is read only when a rule's outcome depends on it. */
export type Fact = 'diffs' | 'author' | 'subject' | 'access';

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

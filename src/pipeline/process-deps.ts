// What processing an event needs (the injected services) and what it reports.
import type { RuleEvent } from '../event/event.js';
import type { ApiCall } from './api-call.js';
import type { Diff, GitLabClient, MemberDirectory, UserDirectory } from '../gitlab/index.js';
import type { Logger } from '../log.js';
import type { Facts, RuleSet } from '../rules/index.js';
import type { EffectGuard } from './effects.js';
import type { DiffCache } from './facts.js';
import type { ReviewLoadCache } from './review-picks.js';
import type { KnownLabels } from './ensure-labels.js';
import type { ActionError } from '../errors.js';
import type { Preview } from './preview.js';

export interface ProcessDeps {
  rules: RuleSet;
  gitlab: GitLabClient;
  users: UserDirectory;
  members: MemberDirectory;
  diffCache: DiffCache;
  /** Open reviews per user, for `request_review: {pick, from}` (a fresh one per event when absent). */
  reviewLoads?: ReviewLoadCache | undefined;
  /** Declared labels known to exist (a fresh one per event when absent). */
  knownLabels?: KnownLabels | undefined;
  log: Logger;
  /** Plan and log the writes instead of sending them. */
  dryRun: boolean;
  /** Clock for conditions on age (default: the real one). */
  now?: (() => number) | undefined;
  /** When set, comments and pipelines are made once per job, across retries and restarts. */
  effects?: EffectGuard | undefined;
  /** Changed files given up front instead of read from GitLab (`rulebot simulate --diffs`). */
  diffs?: Diff[] | undefined;
  /** When set, GitLab is not asked at all (simulating without a token); this says why. */
  offline?: string | undefined;
  /** The bot's username, when known: its own notes are never a person's activity. */
  botUsername?: string | undefined;
}

/** A call GitLab refused for good (a 4xx other than 429), with its error naming the action. */
export interface Refusal {
  call: ApiCall;
  error: ActionError;
}

/** What `executeCalls` did not make when it went on past refusals: the refused calls and those skipped after them. */
export interface NotMade {
  refused: Refusal[];
  skipped: ApiCall[];
}

export interface EventOutcome {
  matched: string[];
  calls: ApiCall[];
  warnings: string[];
  /** Users named by `assign` and `request_review` that GitLab does not know, or this event cannot tell, in words. */
  unknownUsers?: string[];
  /** Rules whose outcome could not be decided because a fact could not be read. */
  undecided: { rule: string; reason: string }[];
  /** With `keepGoing`: the calls GitLab refused for good, and the later calls of their rules, not made. */
  notMade?: NotMade;
  /** Dry-run: what keyed comments and backports would send, as GitLab holds them now (or why undecided). */
  previews?: Map<ApiCall, Preview>;
  /** The event and the facts read while processing it. */
  state: { event: RuleEvent; facts: Facts };
}

// What became of one chat-ops command: its verdict, the reasons given to the person, the calls made.
import type { ApiCall } from '../pipeline/index.js';

/**
 * `ran`: every action of the command was made (`reasons` then names users that could not be
 * assigned); `failed`: GitLab refused an action, or it failed for good (`reasons` says which);
 * `undecided`: GitLab was not asked at all (simulating without a token), and every rule of the
 * command waited on what only GitLab could tell: neither run nor refused, so nobody is answered.
 * `why`: the built-in `why` was answered with the last events' decision records.
 */
export type CommandStatus = 'ran' | 'failed' | 'help' | 'why' | 'refused' | 'unknown' | 'rate_limited' | 'undecided';

export interface CommandReport {
  command: string;
  /** The command line as written. */
  line: string;
  status: CommandStatus;
  /** Why it was refused, in the words of the reply. */
  reasons: string[];
  calls: ApiCall[];
  /** `failed` only: GitLab refused its first action, so nothing of it was done. */
  nothingDone?: boolean;
  /** The command rules that fired (`ran` only), counted in `rulebot_rule_fired_total` like the event's own. */
  fired?: string[];
}

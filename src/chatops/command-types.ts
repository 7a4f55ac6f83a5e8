// What running the commands of a note is given, and what it reports for each command.
import type { ApiCall, ProcessDeps } from '../pipeline/index.js';
import type { Role } from '../rules/index.js';
import type { Store } from '../store/index.js';
import type { CommandRateLimiter } from './rate-limit.js';

export interface CommandDeps extends ProcessDeps {
  /** The bot's username (`@<it> …` starts a command); without it no note is read as a command. */
  botUsername: string | undefined;
  store: Store;
  limiter: CommandRateLimiter;
  /** Emoji put on a note whose command was refused (default `no_entry_sign`). */
  refusedEmoji?: string;
  /** The least role that may ask `why` (default Developer). */
  whyAccess?: Role;
}

export type CommandStatus = 'ran' | 'help' | 'why' | 'refused' | 'unknown' | 'rate_limited';

export interface CommandReport {
  command: string;
  /** The command line as written. */
  line: string;
  status: CommandStatus;
  /** Why it was refused, in the words of the reply. */
  reasons: string[];
  calls: ApiCall[];
}

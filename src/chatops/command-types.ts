// What running the commands of a note is given.
import type { GitLabApiError } from '../errors.js';
import type { ProcessDeps } from '../pipeline/index.js';
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
  /**
   * Whether the runtime gives the event up if this failure, which may pass, ends the attempt (no
   * more retries). Then the command's failure is answered instead of thrown, so the person hears
   * back. Unset: such failures are always thrown and retried.
   */
  givesUp?: ((error: GitLabApiError) => boolean) | undefined;
  /** The least role that may ask `why` (default Developer). */
  whyAccess?: Role;
}

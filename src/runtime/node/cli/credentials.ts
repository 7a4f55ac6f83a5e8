// The credential a CLI command acts with: the running rulebot's (sealed in DATA_DIR) when there is one; never rotated here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../../config/config.js';
import { ConfigError } from '../../../errors.js';
import type { Logger } from '../../../log.js';
import { MemoryStore, type Store } from '../../../store/index.js';
import { createUpkeep, type Upkeep } from '../../../upkeep/index.js';
import { SqliteStore } from '../sqlite-store.js';

export interface CliCredentials {
  upkeep: Upkeep | undefined;
  close(): Promise<void>;
}

/**
 * After a rotation GITLAB_TOKEN no longer works: the token in use is sealed in DATA_DIR, and a command
 * run beside the server reads it from there. A command never rotates (the server does), and leaves the
 * server's record alone when run with another token. OAuth refresh tokens are replaced on every use, so a
 * command refreshes only through the server's DATA_DIR, where the server finds the new one.
 */
export function cliCredentials(config: Config, log: Logger, command: string, fetch?: typeof globalThis.fetch): CliCredentials {
  if (!config.gitlabCredential || config.tokenType === 'job') return { upkeep: undefined, close: async () => {} };
  const stored = existsSync(join(config.dataDir, 'rulebot.sqlite'));
  let effective = config;
  if (config.oauth && !stored) {
    if (!config.gitlabToken) {
      throw new ConfigError(
        `with GITLAB_OAUTH_REFRESH_TOKEN, \`rulebot ${command}\` needs the DATA_DIR of the rulebot that refreshes it (${config.dataDir} holds no database): ` +
          'GitLab replaces the refresh token on every use, and one spent here would leave the server without one. Run it with that DATA_DIR, or give an access token in GITLAB_TOKEN',
      );
    }
    effective = { ...config, oauth: undefined };
  }
  const store: Store = stored ? new SqliteStore(config.dataDir) : new MemoryStore();
  return { upkeep: createUpkeep({ config: effective, store, log, fetch, runtime: 'cli' }), close: () => store.close() };
}

// What keeps rulebot able to work: its credential (known, rotated, refreshed) and the webhook GitLab calls it through.
import type { Config } from '../config/config.js';
import { GitLabClient, staticToken, type GitLabClientOptions, type TokenSource } from '../gitlab/index.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import { CredentialRecords } from './credential-record.js';
import { HookWatch, type HookStatus } from './hook-watch.js';
import { ManagedToken, type TokenStatus } from './managed-token.js';
import { OAuthToken, type OAuthStatus } from './oauth-token.js';
import { fingerprint, SealedBox } from './sealed-box.js';

export interface UpkeepOptions {
  config: Config;
  /** Where the sealed credential and the webhook's state are kept; shared by all processes or isolates of one rulebot. */
  store: Store;
  log: Logger;
  fetch?: typeof fetch | undefined;
  now?: () => number;
  /**
   * `server` (the Node process: one per DATA_DIR), `worker` (isolates, many at once) or `cli` (one-off
   * commands, which never rotate a token: another process may be using it).
   */
  runtime: 'server' | 'worker' | 'cli';
  /** Client options passed through (tests shorten the back-off). */
  gitlab?: Partial<GitLabClientOptions> | undefined;
}

export interface UpkeepStatus {
  gitlab_token?: TokenStatus | OAuthStatus;
  webhook?: HookStatus;
}

export interface Upkeep {
  /** What the GitLab client takes its credentials from; undefined without a credential (dry-run). */
  credentials: TokenSource | undefined;
  /**
   * At start: the stored credential or the configured one, what GitLab says of it, a rotation or
   * refresh if due. Throws a ConfigError saying what to fix when it cannot work; GitLabApiError when
   * GitLab cannot be reached (the caller asks again).
   */
  start(): Promise<void>;
  /** Every 5 minutes (the Node timer, the Worker's cron): the webhook; daily, the token; OAuth ahead of expiry. Never throws. */
  tick(): Promise<void>;
  /** GitLab's `expiring_access_token` event: rotates rulebot's token when it is the one named. */
  tokenExpiring(token: { id: number; expires_at: string | undefined }): Promise<void>;
  /** For `GET /status`, from the store: GitLab is not asked. */
  status(): Promise<UpkeepStatus>;
  /** A reason rulebot cannot act (its credential is gone), for `/readyz`; undefined when none is known. */
  problem(): Promise<string | undefined>;
}

/** Builds the upkeep of one rulebot from its configuration; nothing is asked of GitLab until `start()`. */
export function createUpkeep(options: UpkeepOptions): Upkeep {
  const { config, store, log } = options;
  const now = options.now ?? Date.now;
  const deadOwnerPrefix = options.runtime === 'server' ? 'server:' : undefined;
  const clientOptions = {
    baseUrl: config.gitlabUrl,
    fetch: options.fetch,
    timeoutMs: config.gitlabTimeoutMs,
    retries: config.gitlabRetries,
    ...options.gitlab,
  };
  const material = config.tokenStoreKey ?? (config.oauth ? `${config.oauth.clientSecret}\0${config.oauth.refreshToken}` : config.gitlabCredential ?? '');
  // Values, not promises, are kept: on Workers an invocation must not await a promise another made,
  // and nothing here may run while the isolate starts (no random values, no crypto, before a request).
  let box: SealedBox | undefined;
  const records = new CredentialRecords(store, async () => (box ??= await SealedBox.derive(material)));
  let owner: string | undefined;
  const ownerId = () => (owner ??= `${options.runtime}:${crypto.randomUUID()}`);

  let managed: ManagedToken | OAuthToken | undefined;
  let build: (() => Promise<ManagedToken | OAuthToken>) | undefined;
  let credentials: TokenSource | undefined;
  if (config.gitlabCredential && config.tokenType === 'private') {
    const configured = config.gitlabCredential;
    build = async () => {
      const lineage = await fingerprint(`private\0${config.gitlabUrl}\0${configured}`);
      return (managed ??= new ManagedToken({
        configured, lineage, records, log, now, owner: ownerId(), deadOwnerPrefix,
        clientFor: (token) => new GitLabClient({ ...clientOptions, token, tokenType: 'private' }),
        rotation: config.tokenRotation,
        rotateBeforeDays: config.tokenRotateBeforeDays,
        lifetimeDays: config.tokenLifetimeDays,
        mayRotate: options.runtime !== 'cli',
        dryRun: config.dryRun,
        checkAtStart: options.runtime === 'worker' ? 'daily' : 'always',
        replaceForeign: options.runtime !== 'cli',
        shareInFlight: options.runtime !== 'worker',
      }));
    };
  } else if (config.oauth) {
    const oauth = config.oauth;
    build = async () => {
      const lineage = await fingerprint(`oauth\0${config.gitlabUrl}\0${oauth.clientId}\0${oauth.refreshToken}`);
      return (managed ??= new OAuthToken({
        oauth, gitlabUrl: config.gitlabUrl, fetch: options.fetch, timeoutMs: config.gitlabTimeoutMs, lineage, records, log, now,
        owner: ownerId(), deadOwnerPrefix, replaceForeign: options.runtime !== 'cli', shareInFlight: options.runtime !== 'worker',
      }));
    };
  } else if (config.gitlabToken) {
    // A CI job token, or an OAuth access token without a way to refresh it: used as given.
    credentials = staticToken(config.gitlabToken, config.tokenType);
  }
  const source = async () => managed ?? (await build?.());
  if (build) {
    credentials = {
      current: async () => (await source())!.current(),
      rejected: async (used) => (await source())!.rejected(used),
    };
  }
  const hookWatch = config.hookWatch && credentials
    ? new HookWatch({ watch: config.hookWatch, gitlab: new GitLabClient({ ...clientOptions, credentials }), store, log, now })
    : undefined;

  return {
    credentials,
    async start() {
      await (await source())?.start();
    },
    async tick() {
      try {
        const token = await source();
        if (token instanceof ManagedToken) await token.daily();
        else await token?.tick();
      } catch (error) {
        log.error('checking the GitLab token failed; checked again in 5 minutes', { error });
      }
      try {
        await hookWatch?.check();
      } catch (error) {
        log.error('checking the webhook failed; checked again in 5 minutes', { error });
      }
    },
    async tokenExpiring(token) {
      const managedToken = await source();
      if (managedToken instanceof ManagedToken) await managedToken.expiring(token);
    },
    async status() {
      const token = await source();
      return {
        ...(token && { gitlab_token: await token.status() }),
        ...(hookWatch && { webhook: await hookWatch.status() }),
      };
    },
    async problem() {
      if (!build) return undefined;
      const problem = (await records.read()).record?.problem;
      return problem?.lost ? problem.message : undefined;
    },
  };
}

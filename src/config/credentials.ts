// The credential part of the configuration: token rotation, OAuth refresh, where secrets are sealed, the webhook watched.
import { z } from 'zod';
import { ConfigError } from '../errors.js';

/** GitLab's default maximum lifetime of an access token (an instance may set a shorter one). */
export const MAX_TOKEN_LIFETIME_DAYS = 365;

const days = (max: number) => z.coerce.number().int().min(1).max(max);

/** The variables of this part, merged into `EnvSchema`. */
export const CredentialEnvSchema = z.object({
  TOKEN_ROTATION: z.enum(['auto', 'off']).optional(),
  TOKEN_ROTATE_BEFORE_DAYS: days(MAX_TOKEN_LIFETIME_DAYS - 1).default(14),
  TOKEN_LIFETIME_DAYS: days(MAX_TOKEN_LIFETIME_DAYS).default(90),
  TOKEN_STORE_KEY: z.string().min(16, { message: 'expected at least 16 characters (for example `openssl rand -hex 32`)' }).optional(),
  GITLAB_OAUTH_CLIENT_ID: z.string().min(1).optional(),
  GITLAB_OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
  GITLAB_OAUTH_REFRESH_TOKEN: z.string().min(1).optional(),
  GITLAB_OAUTH_REDIRECT_URI: z.url().optional(),
  GITLAB_HOOK_ID: z.coerce.number().int().positive().optional(),
  GITLAB_HOOK_PROJECT: z.string().min(1).optional(),
  GITLAB_HOOK_GROUP: z.string().min(1).optional(),
});

type CredentialEnv = z.output<typeof CredentialEnvSchema> & {
  GITLAB_TOKEN?: string | undefined;
  GITLAB_TOKEN_TYPE: 'private' | 'oauth' | 'job';
};

export interface OAuthConfig {
  clientId: string;
  clientSecret: string;
  /** The refresh token rulebot was given; GitLab replaces it on every use, and rulebot keeps the newest sealed in its store. */
  refreshToken: string;
  /** Sent with each refresh when set: GitLab's docs ask for the `redirect_uri` of the original authorisation. */
  redirectUri: string | undefined;
}

export interface HookWatchConfig {
  hookId: number;
  /** The hook's project (id or `group/project`), or its group (id or full path): exactly one is set. */
  project: string | undefined;
  group: string | undefined;
}

export interface CredentialConfig {
  /**
   * What rulebot acts with, as configured: GITLAB_TOKEN, or for OAuth without an access token the refresh
   * token. Undefined: no credential, dry-run. Rotated or refreshed credentials live in the store, sealed.
   */
  gitlabCredential: string | undefined;
  /** `auto`/`off` as set; undefined: rotate when the token may rotate itself (scope `api` or `self_rotate`). */
  tokenRotation: 'auto' | 'off' | undefined;
  tokenRotateBeforeDays: number;
  tokenLifetimeDays: number;
  /** Key material for sealing stored credentials; without it the key is derived from the configured credential. */
  tokenStoreKey: string | undefined;
  oauth: OAuthConfig | undefined;
  hookWatch: HookWatchConfig | undefined;
}

/**
 * Reads and cross-checks the credential variables. A CI job token is refused unless `readOnly` (the
 * commands that only read): GitLab lets it reach a few APIs only.
 */
export function readCredentials(e: CredentialEnv, options: { readOnly: boolean }): CredentialConfig {
  const problems: string[] = [];
  const type = e.GITLAB_TOKEN_TYPE;
  const oauthVariables = [e.GITLAB_OAUTH_CLIENT_ID, e.GITLAB_OAUTH_CLIENT_SECRET, e.GITLAB_OAUTH_REFRESH_TOKEN];
  let oauth: OAuthConfig | undefined;
  if (oauthVariables.some((value) => value !== undefined)) {
    const missing = ['GITLAB_OAUTH_CLIENT_ID', 'GITLAB_OAUTH_CLIENT_SECRET', 'GITLAB_OAUTH_REFRESH_TOKEN'].filter((_, i) => oauthVariables[i] === undefined);
    if (type !== 'oauth') problems.push(`GITLAB_OAUTH_*: set only with GITLAB_TOKEN_TYPE=oauth (got GITLAB_TOKEN_TYPE=${type})`);
    else if (missing.length > 0) problems.push(`GITLAB_OAUTH_*: refreshing needs all three of the application's id, its secret and a refresh token; missing ${missing.join(', ')}`);
    else oauth = { clientId: e.GITLAB_OAUTH_CLIENT_ID!, clientSecret: e.GITLAB_OAUTH_CLIENT_SECRET!, refreshToken: e.GITLAB_OAUTH_REFRESH_TOKEN!, redirectUri: e.GITLAB_OAUTH_REDIRECT_URI };
  }
  if (e.TOKEN_ROTATION === 'auto' && type !== 'private') {
    problems.push(
      `TOKEN_ROTATION=auto: only personal, project and group access tokens rotate themselves (GITLAB_TOKEN_TYPE=private); ` +
        (type === 'oauth' ? 'OAuth access tokens are refreshed instead (GITLAB_OAUTH_*)' : 'a CI job token cannot'),
    );
  }
  if (e.TOKEN_ROTATE_BEFORE_DAYS >= e.TOKEN_LIFETIME_DAYS) {
    problems.push(
      `TOKEN_ROTATE_BEFORE_DAYS: expected fewer days than TOKEN_LIFETIME_DAYS (${e.TOKEN_LIFETIME_DAYS}), got ${e.TOKEN_ROTATE_BEFORE_DAYS}: ` +
        'every new token would be due for rotation at once',
    );
  }
  let hookWatch: HookWatchConfig | undefined;
  const hookPlaces = [e.GITLAB_HOOK_PROJECT, e.GITLAB_HOOK_GROUP].filter((value) => value !== undefined).length;
  if (e.GITLAB_HOOK_ID !== undefined) {
    if (hookPlaces !== 1) {
      problems.push(`GITLAB_HOOK_ID: expected exactly one of GITLAB_HOOK_PROJECT (the project's id or path) or GITLAB_HOOK_GROUP (the group's), got ${hookPlaces === 0 ? 'neither' : 'both'}`);
    } else hookWatch = { hookId: e.GITLAB_HOOK_ID, project: e.GITLAB_HOOK_PROJECT, group: e.GITLAB_HOOK_GROUP };
  } else if (hookPlaces > 1) {
    problems.push('GITLAB_HOOK_PROJECT / GITLAB_HOOK_GROUP: expected one of them, got both');
  }
  // A place without GITLAB_HOOK_ID watches nothing: it is where `rulebot hooks` looks, to find the id.
  const gitlabCredential = e.GITLAB_TOKEN ?? oauth?.refreshToken;
  if (type === 'job' && gitlabCredential && !options.readOnly) {
    problems.push(
      'GITLAB_TOKEN_TYPE=job: a CI/CD job token cannot do what rulebot does. GitLab lets it reach only a few APIs (jobs, ' +
        'packages, releases, deployments, repository files), so it cannot edit merge requests or issues, comment on them, ' +
        'or tell whose token it is. Use a project access token (Developer role, api scope) with GITLAB_TOKEN_TYPE=private. ' +
        'A job token works only for the commands that only read: `rulebot simulate` and `rulebot schedule --dry-run`.',
    );
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:${problems.length === 1 ? ' ' : '\n'}${problems.join('\n')}`);
  return {
    gitlabCredential,
    tokenRotation: e.TOKEN_ROTATION,
    tokenRotateBeforeDays: e.TOKEN_ROTATE_BEFORE_DAYS,
    tokenLifetimeDays: e.TOKEN_LIFETIME_DAYS,
    tokenStoreKey: e.TOKEN_STORE_KEY,
    oauth,
    hookWatch,
  };
}

/** What a valid credential configuration still gets wrong, for the log at start. */
export function credentialWarnings(config: CredentialConfig & { tokenType: string; gitlabToken: string | undefined }): string[] {
  if (config.tokenType === 'oauth' && config.gitlabToken && !config.oauth) {
    return [
      'GITLAB_TOKEN_TYPE=oauth without GITLAB_OAUTH_CLIENT_ID, GITLAB_OAUTH_CLIENT_SECRET and GITLAB_OAUTH_REFRESH_TOKEN: ' +
        'an OAuth access token lasts 2 hours, after which every call fails; set them so that rulebot refreshes it',
    ];
  }
  return [];
}

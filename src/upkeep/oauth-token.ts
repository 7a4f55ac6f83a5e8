// An OAuth access token kept fresh with its refresh token, one refresh at a time across processes and isolates.
import type { OAuthConfig } from '../config/credentials.js';
import { ConfigError, GitLabApiError } from '../errors.js';
import { refreshAccessToken, type Credentials, type OAuthToken as OAuthAnswer, type TokenSource } from '../gitlab/index.js';
import type { Logger } from '../log.js';
import type { CredentialRecord, CredentialRecords, ReadRecord } from './credential-record.js';
import { RecordLine, throwIfLost } from './record-line.js';

export interface OAuthTokenOptions {
  oauth: OAuthConfig;
  gitlabUrl: string;
  fetch?: typeof fetch | undefined;
  timeoutMs: number;
  /** Fingerprint of the configured refresh token: a record of another line belongs to one the operator replaced. */
  lineage: string;
  records: CredentialRecords;
  log: Logger;
  now: () => number;
  sleep?: (ms: number) => Promise<void>;
  owner: string;
  /** Leases of other owners with this prefix are from an earlier run of this server (see ManagedToken). */
  deadOwnerPrefix?: string;
  /** Refresh this long before the access token expires (default 5 minutes of its 2 hours). */
  marginMs?: number;
  /** Whether a record of another line is replaced at start (see ManagedTokenOptions.replaceForeign). */
  replaceForeign: boolean;
  /** Whether callers in this process join a refresh under way here (see ManagedTokenOptions.shareInFlight). */
  shareInFlight: boolean;
}

export interface OAuthStatus {
  type: 'oauth';
  token_expires_at: string | undefined;
  minutes_left: number | undefined;
  refreshed_at: string | undefined;
  problem: string | undefined;
}

interface Pair {
  access_token: string;
  refresh_token: string;
}

/**
 * GitLab's OAuth access tokens last 2 hours, and every refresh replaces the refresh token too
 * (doc/api/oauth2.md): the new pair is sealed and stored before it is used, and a refresh is made by one
 * caller at a time everywhere (a lease in the store record), since a second refresh with the same, now
 * spent, refresh token would fail. Others wait for the pair it stores.
 */
export class OAuthToken implements TokenSource {
  private access: { token: string; expiresAt: number } | undefined;
  private refresh: string;
  private readonly line: RecordLine;
  /** Read from the store once per process or isolate (each caller reads for itself until then). */
  private loaded = false;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly options: OAuthTokenOptions) {
    this.refresh = options.oauth.refreshToken;
    const { records, lineage, log, now, owner, deadOwnerPrefix } = options;
    this.line = new RecordLine({ records, kind: 'oauth', lineage, log, now, owner, deadOwnerPrefix, adopt: (read) => this.adopt(read) });
  }

  async current(): Promise<Credentials> {
    if (!this.loaded) {
      await this.line.read();
      this.loaded = true;
    }
    if (!this.access || this.expiringSoon()) await this.refreshNow(this.access?.token);
    return { token: this.access!.token, type: 'oauth' };
  }

  async rejected(used: Credentials): Promise<Credentials | undefined> {
    await this.current();
    if (this.access!.token === used.token) await this.refreshing?.catch(() => {});
    if (this.access!.token === used.token) await this.line.read();
    // Still the token GitLab refused: refreshed once (it may have been revoked, or the clocks disagree).
    if (this.access!.token === used.token) await this.refreshNow(used.token);
    return this.access!.token === used.token ? undefined : { token: this.access!.token, type: 'oauth' };
  }

  /** At start: the stored pair when it grew from the configured refresh token, refreshed if it has to be. */
  async start(): Promise<void> {
    await this.line.open(this.options.replaceForeign, 'GITLAB_OAUTH_REFRESH_TOKEN is not the one rulebot refreshed from: starting from it, and forgetting the stored tokens');
    this.loaded = true;
    if (this.line.record?.problem?.lost) throw new ConfigError(this.line.record.problem.message);
    try {
      await this.current();
    } catch (error) {
      const lost = this.line.record?.problem?.lost ? this.line.record.problem.message : undefined;
      if (lost || (error instanceof GitLabApiError && !error.retryable)) throw new ConfigError(lost ?? (error as Error).message);
      throw error;
    }
  }

  /** Every few minutes: refreshes ahead of expiry, so that no request waits for it. */
  async tick(): Promise<void> {
    await this.current();
  }

  async status(): Promise<OAuthStatus> {
    const record = (await this.options.records.read()).record;
    const mine = record && this.line.mine(record) ? record : undefined;
    const expires = mine?.access_expires_at;
    return {
      type: 'oauth',
      token_expires_at: expires === undefined ? undefined : new Date(expires).toISOString(),
      minutes_left: expires === undefined ? undefined : Math.floor((expires - this.options.now()) / 60_000),
      refreshed_at: mine?.changed_at === undefined ? undefined : new Date(mine.changed_at).toISOString(),
      problem: mine?.problem?.message,
    };
  }

  private expiringSoon(): boolean {
    return this.access !== undefined && this.access.expiresAt - this.options.now() <= (this.options.marginMs ?? 5 * 60_000);
  }

  /** Refreshes unless the access token in hand is no longer `stale` (someone refreshed meanwhile). */
  private refreshNow(stale: string | undefined): Promise<void> {
    if (!this.options.shareInFlight) return this.refreshOnce(stale);
    this.refreshing ??= this.refreshOnce(stale).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refreshOnce(stale: string | undefined): Promise<void> {
    const { log } = this.options;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (;;) {
      const read = await this.line.read();
      const record = read.record;
      if (!record || !this.line.mine(record)) throw new ConfigError('the OAuth credentials changed while rulebot runs; restart it');
      throwIfLost(record);
      if (this.access && this.access.token !== stale && !this.expiringSoon()) return; // refreshed elsewhere
      if (record.pending && !this.line.abandoned(record.pending, true)) {
        await sleep(250); // another process or isolate is refreshing: its pair is stored in a moment
        continue;
      }
      const interrupted = record.pending;
      const claimed = await this.line.claim(read);
      if (!claimed) continue;
      let answer: OAuthAnswer;
      try {
        answer = await refreshAccessToken({
          baseUrl: this.options.gitlabUrl,
          clientId: this.options.oauth.clientId,
          clientSecret: this.options.oauth.clientSecret,
          refreshToken: this.refresh,
          redirectUri: this.options.oauth.redirectUri,
          fetch: this.options.fetch,
          timeoutMs: this.options.timeoutMs,
        });
      } catch (error) {
        await this.refreshFailed(error, interrupted);
        throw error;
      }
      await this.storePair(claimed, record, answer);
      log.info('OAuth access token refreshed', { token_expires_at: new Date(this.access!.expiresAt).toISOString() });
      return;
    }
  }

  private async storePair(claimed: ReadRecord, record: CredentialRecord, answer: OAuthAnswer): Promise<void> {
    const { records, log, now } = this.options;
    // GitLab has spent the old pair: the new one exists only here until it is stored.
    log.redact(answer.access_token);
    log.redact(answer.refresh_token);
    const pair: Pair = { access_token: answer.access_token, refresh_token: answer.refresh_token };
    const expiresAt = now() + answer.expires_in * 1000;
    this.access = { token: answer.access_token, expiresAt };
    this.refresh = answer.refresh_token;
    const next: CredentialRecord = {
      ...record,
      generation: record.generation + 1,
      sealed: await records.seal(JSON.stringify(pair)),
      access_expires_at: expiresAt,
      changed_at: now(),
      pending: undefined,
      problem: undefined,
    };
    await this.line.store(claimed, next, 'refreshed OAuth tokens');
  }

  private async refreshFailed(error: unknown, interrupted: CredentialRecord['pending']): Promise<void> {
    const at = this.options.now();
    if (error instanceof GitLabApiError && !error.retryable && (error.status === 400 || error.status === 401)) {
      const why = interrupted
        ? `a refresh begun at ${new Date(interrupted.started_at).toISOString()} was interrupted before its answer was stored, and GitLab has spent the refresh token it used`
        : `GitLab refused the refresh token (${error.message})`;
      const message =
        `rulebot's OAuth credentials no longer work: ${why}. To recover: authorise the application again (the OAuth ` +
        'authorization code flow, doc/api/oauth2.md), set the new refresh token as GITLAB_OAUTH_REFRESH_TOKEN (check ' +
        'GITLAB_OAUTH_CLIENT_ID and GITLAB_OAUTH_CLIENT_SECRET too), and start rulebot again: a new refresh token starts afresh. ' +
        'Events accepted meanwhile stay stored and run once it works.';
      this.options.log.error(message);
      await this.line.update((record) => ({ ...record, pending: undefined, problem: { at, message, lost: true } }));
      throwIfLost(this.line.record);
    }
    // No answer, or a 5xx: asked again on the next request; the lease ends now.
    this.options.log.warn('refreshing the OAuth access token failed; trying again on the next request', { error });
    await this.line.update((record) => ({ ...record, pending: undefined }));
  }

  private async adopt(read: ReadRecord): Promise<void> {
    const record = read.record;
    if (!record || !this.line.mine(record) || !record.sealed) return;
    const text = await this.options.records.open(record.sealed);
    if (text === undefined) {
      throw new ConfigError(
        'the OAuth tokens rulebot refreshed are stored sealed under another key: set TOKEN_STORE_KEY to the value it had ' +
          'when they were stored (without it, the key comes from GITLAB_OAUTH_CLIENT_SECRET and GITLAB_OAUTH_REFRESH_TOKEN), or set a new refresh token',
      );
    }
    const pair = JSON.parse(text) as Pair;
    if (pair.access_token !== this.access?.token) {
      this.options.log.redact(pair.access_token);
      this.options.log.redact(pair.refresh_token);
    }
    this.access = { token: pair.access_token, expiresAt: record.access_expires_at ?? 0 };
    this.refresh = pair.refresh_token;
  }
}

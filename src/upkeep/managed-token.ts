// A personal, project or group access token that rotates itself before it expires, once at a time everywhere.
import { ConfigError, GitLabApiError } from '../errors.js';
import { getTokenSelf, type AccessToken, type Credentials, type GitLabClient, type TokenSource } from '../gitlab/index.js';
import type { Logger } from '../log.js';
import type { CredentialRecord, CredentialRecords, ReadRecord } from './credential-record.js';
import { RecordLine, throwIfLost } from './record-line.js';
import { canRotateItself, DAY_MS, daysLeft, rotationDue, scopeProblem, WARN_BEFORE_DAYS } from './token-facts.js';
import { lookIntoUnfinished, markLost, rotateToken, type RotationContext } from './token-rotation.js';

export interface ManagedTokenOptions {
  /** GITLAB_TOKEN: where the line of tokens starts. */
  configured: string;
  /** Fingerprint of `configured`: a record of another line belongs to a token the operator replaced. */
  lineage: string;
  records: CredentialRecords;
  log: Logger;
  now: () => number;
  /** A client sending exactly this token and never renewing it on a 401 (for the token's own calls). */
  clientFor: (token: string) => GitLabClient;
  /** Who rotates, written into the lease: `<runtime>:<random>`. */
  owner: string;
  /**
   * Leases held by other owners with this prefix belong to a process that is gone (the Node server's
   * earlier runs: one server per DATA_DIR), and are looked into at start without waiting for them.
   */
  deadOwnerPrefix?: string;
  /** TOKEN_ROTATION as configured (undefined: when the scopes allow). */
  rotation: 'auto' | 'off' | undefined;
  rotateBeforeDays: number;
  lifetimeDays: number;
  /** False where a new token could not be kept (a CLI run without the server's store) or must not be made (dry run). */
  mayRotate: boolean;
  dryRun: boolean;
  /** Ask GitLab about the token at every start (Node), or at most daily (Worker isolates, which start often). */
  checkAtStart: 'always' | 'daily';
  /**
   * Whether a record of another line is replaced at start (the operator set a new token). False for the
   * CLI, which may run with another token than the server and must leave the server's record alone.
   */
  replaceForeign: boolean;
  /**
   * Whether callers in this process join a rotation under way here (Node). False on Workers, where an
   * invocation must not await a promise another invocation made (workerd cancels it): the lease in the
   * store keeps them apart instead, as it keeps isolates apart.
   */
  shareInFlight: boolean;
}

export interface TokenStatus {
  type: 'private';
  token_expires_at: string | null | undefined;
  days_left: number | undefined;
  scopes: string[] | undefined;
  rotation: 'auto' | 'off';
  rotated_at: string | undefined;
  checked_at: string | undefined;
  problem: string | undefined;
}

/**
 * Holds the current token of one line (the configured token and the ones rotated from it), read from
 * the store record every process and Worker isolate shares (`RecordLine`); rotations are made by
 * `token-rotation.ts`, one at a time everywhere.
 */
export class ManagedToken implements TokenSource {
  private token: string;
  private readonly line: RecordLine;
  private readonly rotation: RotationContext;
  /** Read from the store once per process or isolate (each caller reads for itself until then). */
  private loaded = false;
  private inFlight: Promise<void> | undefined;
  /** Decided once the scopes are known; off until then. */
  private rotating = false;
  /** GitLab said this token cannot rotate itself. */
  private refused = false;

  constructor(private readonly options: ManagedTokenOptions) {
    this.token = options.configured;
    const { records, log, now } = options;
    this.line = new RecordLine({
      records, kind: 'private', lineage: options.lineage, log, now, owner: options.owner, deadOwnerPrefix: options.deadOwnerPrefix,
      adopt: (read) => this.adopt(read),
    });
    this.rotation = {
      line: this.line, records, log, now, lifetimeDays: options.lifetimeDays, clientFor: options.clientFor,
      token: () => this.token,
      use: (token) => (this.token = token),
      refuse: () => {
        this.refused = true;
        this.rotating = false;
      },
    };
  }

  async current(): Promise<Credentials> {
    if (!this.loaded) {
      await this.line.read();
      this.loaded = true;
    }
    return { token: this.token, type: 'private' };
  }

  async rejected(used: Credentials): Promise<Credentials | undefined> {
    await this.current();
    // Rotated here while the request was under way, or (reading the record again) by another process or isolate.
    if (this.token === used.token) await this.inFlight?.catch(() => {});
    if (this.token === used.token) await this.line.read();
    if (this.token === used.token && !this.line.record?.problem?.lost) await this.confirmRefused();
    if (this.token === used.token) throwIfLost(this.line.record);
    return this.token === used.token ? undefined : { token: this.token, type: 'private' };
  }

  /**
   * At start: the stored token when it was rotated from the configured one (else the configured one, and
   * a new line begins), a rotation left unfinished looked into, then what GitLab says of the token.
   * Throws a ConfigError with what to do when the token is gone or cannot do what rulebot needs.
   */
  async start(): Promise<void> {
    await this.line.open(this.options.replaceForeign, 'GITLAB_TOKEN is not the token rulebot rotated from: using GITLAB_TOKEN, and forgetting the stored token');
    this.loaded = true;
    const pending = this.line.record?.pending;
    if (pending && this.line.abandoned(pending, true)) await lookIntoUnfinished(this.rotation);
    const current = this.line.record;
    if (current?.problem?.lost) {
      // Recorded as gone: unless GitLab takes it again (a 401 that was GitLab's own trouble), a person must act.
      const works = await getTokenSelf(this.options.clientFor(this.token)).then(
        () => true,
        (error: unknown) => (error instanceof GitLabApiError && error.status === 401 ? false : Promise.reject(error)),
      );
      if (!works) throw new ConfigError(current.problem.message);
      await this.line.settle(undefined);
    }
    if (this.options.checkAtStart === 'always' || this.checkDue()) {
      await this.check({ atStart: true });
    } else {
      // Checked within the day (by another isolate): what it found still holds.
      const problem = current?.scopes && scopeProblem(current.scopes, this.options.dryRun);
      if (problem) throw new ConfigError(problem);
    }
  }

  /** Daily: asks GitLab about the token again, warns from 30 days before it expires, rotates when due. */
  async daily(): Promise<void> {
    await this.current();
    await this.line.read();
    if (this.line.record?.problem?.lost || !this.checkDue()) return;
    await this.check({ atStart: false });
  }

  /** GitLab says a token expires soon (`expiring_access_token`): rotated now when it is rulebot's own. */
  async expiring(token: { id: number; expires_at: string | undefined }): Promise<void> {
    await this.current();
    const record = this.line.record;
    if (record?.token_id !== token.id) return;
    // The test event GitLab sends for this hook has a made-up id: the expiry date must match as well.
    if (token.expires_at && record.expires_at && token.expires_at.slice(0, 10) !== record.expires_at.slice(0, 10)) return;
    if (!this.rotating) {
      this.options.log.warn(`GitLab says rulebot's token expires on ${token.expires_at ?? 'a date it did not name'}, and rotation is off: renew it and set it as GITLAB_TOKEN`);
      return;
    }
    // Still this token when the turn comes: an event re-sent after the rotation names the old one.
    await this.rotate('GitLab sent expiring_access_token for this token', (now) => now.token_id === token.id);
  }

  /** The token's state for `GET /status`, from the store (GitLab is not asked). */
  async status(): Promise<TokenStatus> {
    const record = (await this.options.records.read()).record;
    const mine = this.line.mine(record) ? record : undefined;
    const expires = mine?.expires_at;
    const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
    return {
      type: 'private',
      token_expires_at: expires,
      days_left: typeof expires === 'string' ? daysLeft(expires, this.options.now()) : undefined,
      scopes: mine?.scopes,
      rotation: this.rotationAllowed(mine?.scopes) ? 'auto' : 'off',
      rotated_at: iso(mine?.changed_at),
      checked_at: iso(mine?.checked_at),
      problem: mine?.problem?.message,
    };
  }

  /** Rotates unless a rotation is under way here or elsewhere; callers here join one under way (Node). */
  private rotate(reason: string, due: (record: CredentialRecord) => boolean): Promise<void> {
    if (!this.options.shareInFlight) return rotateToken(this.rotation, reason, due);
    this.inFlight ??= rotateToken(this.rotation, reason, due).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /**
   * A 401 with no newer token: one `GET /personal_access_tokens/self` tells whether GitLab refuses the
   * token itself (revoked, expired). If so it is recorded as gone, `/readyz` says what to do, and events
   * wait for a new one instead of failing.
   */
  private async confirmRefused(): Promise<void> {
    try {
      await getTokenSelf(this.options.clientFor(this.token));
    } catch (error) {
      if (error instanceof GitLabApiError && error.status === 401) await markLost(this.rotation, 'refused', `GitLab refuses it (${error.message})`);
    }
  }

  private checkDue(): boolean {
    const checked = this.line.record?.checked_at;
    return checked === undefined || this.options.now() - checked >= DAY_MS;
  }

  private rotationAllowed(scopes: readonly string[] | undefined): boolean {
    const { rotation, mayRotate, dryRun } = this.options;
    return rotation !== 'off' && scopes !== undefined && canRotateItself(scopes) && mayRotate && !dryRun && !this.refused;
  }

  /** `GET /personal_access_tokens/self`: scopes checked, facts stored, a warning or a rotation when the expiry nears. */
  private async check({ atStart }: { atStart: boolean }): Promise<void> {
    const { log, now } = this.options;
    let facts: AccessToken;
    try {
      facts = await getTokenSelf(this.options.clientFor(this.token));
    } catch (error) {
      if (error instanceof GitLabApiError && error.status === 401) {
        const stored = this.token !== this.options.configured;
        const what = stored ? `GitLab refused the token rulebot rotated to (${error.message})` : `GitLab refused GITLAB_TOKEN (${error.message})`;
        if (atStart && !stored) {
          throw new ConfigError(`${what}: check that the token is valid, not expired, and that GITLAB_TOKEN_TYPE matches it (private, oauth or job)`);
        }
        await markLost(this.rotation, 'refused', what);
        if (atStart) throw new ConfigError(this.line.record?.problem?.message ?? what);
        return;
      }
      if (error instanceof GitLabApiError && (error.status === 404 || error.status === 403)) {
        // GitLab before 15.5 has no `self`; some tokens may not read it. Nothing to rotate by then.
        log.info(`GitLab does not tell this token's expiry (${error.message}); it is not rotated: renew it before it expires`);
        await this.line.update((record) => ({ ...record, checked_at: now() }));
        return;
      }
      throw error;
    }
    const problem = scopeProblem(facts.scopes, this.options.dryRun);
    if (problem && atStart) throw new ConfigError(problem);
    if (problem) log.error(problem);
    if (this.options.rotation === 'auto' && !canRotateItself(facts.scopes) && atStart) {
      throw new ConfigError(`TOKEN_ROTATION=auto, but GITLAB_TOKEN has the scopes ${facts.scopes.join(', ')}: a token rotates itself only with the api or self_rotate scope`);
    }
    this.rotating = this.rotationAllowed(facts.scopes);
    await this.line.update((record) => ({ ...record, token_id: facts.id, scopes: facts.scopes, expires_at: facts.expires_at, checked_at: now() }));
    const expires = facts.expires_at;
    if (expires === null) return;
    const left = daysLeft(expires, now());
    if (this.rotating && rotationDue(expires, now(), this.options.rotateBeforeDays)) {
      const due = (record: CredentialRecord) => rotationDue(record.expires_at, now(), this.options.rotateBeforeDays);
      await this.rotate(`it expires on ${expires}, within TOKEN_ROTATE_BEFORE_DAYS (${this.options.rotateBeforeDays})`, due);
    } else if (left < WARN_BEFORE_DAYS) {
      const plan = this.rotating
        ? `rulebot rotates it ${this.options.rotateBeforeDays} days before`
        : 'rotation is off (TOKEN_ROTATION, the scopes, or DRY_RUN): renew it and set the new one as GITLAB_TOKEN';
      log.warn(`the GitLab token expires on ${expires} (${left} days left); ${plan}`, { token_expires_at: expires, days_left: left });
    }
  }

  /** Takes the record's token when it belongs to this line; the configured token otherwise. */
  private async adopt(read: ReadRecord): Promise<void> {
    const record = read.record;
    const mine = record !== undefined && this.line.mine(record);
    if (mine && record.scopes) this.rotating = this.rotationAllowed(record.scopes);
    if (!mine || !record.sealed) {
      this.token = this.options.configured;
      return;
    }
    const token = await this.options.records.open(record.sealed);
    if (token === undefined) {
      throw new ConfigError(
        'the token rulebot rotated to is stored sealed under another key: set TOKEN_STORE_KEY to the value it had when ' +
          'the token was rotated (without TOKEN_STORE_KEY, the key comes from GITLAB_TOKEN), or set a new GITLAB_TOKEN',
      );
    }
    this.options.log.redact(token);
    this.token = token;
  }
}

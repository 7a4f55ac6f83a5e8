// A personal, project or group access token that rotates itself before it expires, once at a time everywhere.
import { ConfigError, GitLabApiError } from '../errors.js';
import { getTokenSelf, rotateTokenSelf, type AccessToken, type Credentials, type GitLabClient, type TokenSource } from '../gitlab/index.js';
import type { Logger } from '../log.js';
import type { CredentialRecord, CredentialRecords, ReadRecord } from './credential-record.js';
import { lostTokenHelp } from './lost-token.js';
import { canRotateItself, DAY_MS, daysLeft, expiryDate, rotationDue, scopeProblem, WARN_BEFORE_DAYS } from './token-facts.js';

/** How long a rotation may be under way before others take it for abandoned (one request, 30 s at most). */
export const LEASE_MS = 2 * 60_000;

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
 * Holds the current token of one line (the configured token and the ones rotated from it). The record
 * in the store is the truth shared by processes and Worker isolates: every change is a compare-and-set
 * on it, and a rotation first writes a lease (`pending`) there, so only one is ever under way, since
 * rotating an already rotated token makes GitLab revoke the new one too (issue 524639).
 */
export class ManagedToken implements TokenSource {
  private token: string;
  private last: ReadRecord = { text: undefined, record: undefined };
  /** Read from the store once per process or isolate (each caller reads for itself until then). */
  private loaded = false;
  private rotation: Promise<void> | undefined;
  /** Decided once the scopes are known; off until then. */
  private rotating = false;
  /** GitLab said this token cannot rotate itself. */
  private refused = false;

  constructor(private readonly options: ManagedTokenOptions) {
    this.token = options.configured;
  }

  async current(): Promise<Credentials> {
    if (!this.loaded) {
      await this.reload();
      this.loaded = true;
    }
    return { token: this.token, type: 'private' };
  }

  async rejected(used: Credentials): Promise<Credentials | undefined> {
    await this.current();
    // Rotated here while the request was under way, or (reading the record again) by another process or isolate.
    if (this.token === used.token) await this.rotation?.catch(() => {});
    if (this.token === used.token) await this.reload();
    if (this.token === used.token && !this.last.record?.problem?.lost) await this.confirmRefused();
    if (this.token === used.token) throwIfLost(this.last.record);
    return this.token === used.token ? undefined : { token: this.token, type: 'private' };
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
      if (error instanceof GitLabApiError && error.status === 401) await this.markLost('refused', `GitLab refuses it (${error.message})`);
    }
  }

  /**
   * At start: the stored token when it was rotated from the configured one (else the configured one, and
   * a new line begins), a rotation left unfinished looked into, then what GitLab says of the token.
   * Throws a ConfigError with what to do when the token is gone or cannot do what rulebot needs.
   */
  async start(): Promise<void> {
    let read = await this.options.records.read();
    const record = read.record;
    if (!record || ((record.kind !== 'private' || record.lineage !== this.options.lineage) && this.options.replaceForeign)) {
      if (record?.sealed) {
        this.options.log.warn('GITLAB_TOKEN is not the token rulebot rotated from: using GITLAB_TOKEN, and forgetting the stored token');
      }
      read = (await this.options.records.write(read, { kind: 'private', lineage: this.options.lineage, generation: 0 })) ?? (await this.options.records.read());
    }
    await this.adopt(read);
    this.loaded = true;
    const pending = this.last.record?.pending;
    if (pending && this.abandoned(pending, true)) await this.lookIntoUnfinished();
    const current = this.last.record;
    if (current?.problem?.lost) {
      // Recorded as gone: unless GitLab takes it again (a 401 that was GitLab's own trouble), a person must act.
      const works = await getTokenSelf(this.options.clientFor(this.token)).then(
        () => true,
        (error: unknown) => (error instanceof GitLabApiError && error.status === 401 ? false : Promise.reject(error)),
      );
      if (!works) throw new ConfigError(current.problem.message);
      await this.settle(undefined);
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
    await this.reload();
    if (this.last.record?.problem?.lost || !this.checkDue()) return;
    await this.check({ atStart: false });
  }

  /** GitLab says a token expires soon (`expiring_access_token`): rotated now when it is rulebot's own. */
  async expiring(token: { id: number; expires_at: string | undefined }): Promise<void> {
    await this.current();
    const record = this.last.record;
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
    const mine = record?.lineage === this.options.lineage ? record : undefined;
    const expires = mine?.expires_at;
    const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
    return {
      type: 'private',
      token_expires_at: expires,
      days_left: typeof expires === 'string' ? daysLeft(expires, this.options.now()) : undefined,
      scopes: mine?.scopes,
      rotation: this.rotating ? 'auto' : 'off',
      rotated_at: iso(mine?.changed_at),
      checked_at: iso(mine?.checked_at),
      problem: mine?.problem?.message,
    };
  }

  /**
   * Rotates now if `due` still holds for the freshest record, unless a rotation is under way here or
   * elsewhere; resolves when it is over.
   */
  rotate(reason: string, due: (record: CredentialRecord) => boolean): Promise<void> {
    if (!this.options.shareInFlight) return this.rotateOnce(reason, due);
    this.rotation ??= this.rotateOnce(reason, due).finally(() => (this.rotation = undefined));
    return this.rotation;
  }

  private checkDue(): boolean {
    const checked = this.last.record?.checked_at;
    return checked === undefined || this.options.now() - checked >= DAY_MS;
  }

  private rotationAllowed(scopes: readonly string[] | undefined): boolean {
    const { rotation, mayRotate, dryRun } = this.options;
    return rotation !== 'off' && scopes !== undefined && canRotateItself(scopes) && mayRotate && !dryRun && !this.refused;
  }

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
        await this.markLost('refused', what);
        if (atStart) throw new ConfigError(this.last.record?.problem?.message ?? what);
        return;
      }
      if (error instanceof GitLabApiError && (error.status === 404 || error.status === 403)) {
        // GitLab before 15.5 has no `self`; some tokens may not read it. Nothing to rotate by then.
        log.info(`GitLab does not tell this token's expiry (${error.message}); it is not rotated: renew it before it expires`);
        await this.update((record) => ({ ...record, checked_at: now() }));
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
    await this.update((record) => ({ ...record, token_id: facts.id, scopes: facts.scopes, expires_at: facts.expires_at, checked_at: now() }));
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

  private async rotateOnce(reason: string, due: (record: CredentialRecord) => boolean): Promise<void> {
    const { records, log, now } = this.options;
    let read = await records.read();
    await this.adopt(read);
    let record = read.record;
    if (!record || record.lineage !== this.options.lineage || record.problem?.lost) return;
    if (record.pending) {
      if (!this.abandoned(record.pending, false)) return; // another process or isolate is rotating right now
      await this.lookIntoUnfinished();
      read = this.last;
      record = read.record;
      if (!record || record.pending || record.problem?.lost) return;
    }
    // Rotated meanwhile by another process or isolate: its new token is not due.
    if (!due(record)) return;
    const used = this.token;
    const claimed = await records.write(read, { ...record, pending: { started_at: now(), owner: this.options.owner } });
    if (!claimed) {
      await this.reload(); // someone else changed the record first: theirs is the newer state
      return;
    }
    log.info('rotating the GitLab token', { reason });
    let rotated;
    try {
      rotated = await rotateTokenSelf(this.options.clientFor(used), expiryDate(now(), this.options.lifetimeDays));
    } catch (error) {
      await this.rotationFailed(error, used);
      return;
    }
    // The new token exists nowhere else: it is sealed and stored before anything uses it.
    log.redact(rotated.token);
    const next: CredentialRecord = {
      ...record,
      generation: record.generation + 1,
      sealed: await records.seal(rotated.token),
      token_id: rotated.id,
      scopes: rotated.scopes,
      expires_at: rotated.expires_at,
      changed_at: now(),
      checked_at: now(),
      pending: undefined,
      problem: undefined,
    };
    this.token = rotated.token;
    await this.storeRotated(claimed, next);
    log.info('GitLab token rotated', { token_id: rotated.id, token_expires_at: rotated.expires_at });
  }

  /** Writes the rotated token over the lease; keeps trying, since GitLab will not give it again. */
  private async storeRotated(claimed: ReadRecord, next: CredentialRecord): Promise<void> {
    let expected = claimed;
    for (let attempt = 1; ; attempt++) {
      try {
        const written = await this.options.records.write(expected, next);
        if (written) {
          this.last = written;
          return;
        }
        // Changed under the lease (another thought it abandoned): this token is the one that works.
        expected = await this.options.records.read();
      } catch (error) {
        this.options.log.error(`the rotated GitLab token could not be stored (attempt ${attempt}); rulebot uses it meanwhile and tries again`, { error });
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  private async rotationFailed(error: unknown, used: string): Promise<void> {
    const { log } = this.options;
    if (!(error instanceof GitLabApiError)) {
      await this.settle({ message: `rotating the token failed: ${String(error)}` });
      throw error;
    }
    if (error.status === 400) {
      const message = `GitLab refused to rotate the token (${error.message}); the token still works. Check TOKEN_LIFETIME_DAYS (${this.options.lifetimeDays}) against the instance's longest token lifetime`;
      log.error(message);
      await this.settle({ message });
    } else if (error.status === 403 || error.status === 404 || error.status === 405) {
      const message =
        error.status === 403
          ? `GitLab does not let this token rotate itself (${error.message}): give it the api or self_rotate scope, or set TOKEN_ROTATION=off and renew it by hand`
          : `GitLab cannot rotate this token itself (${error.message}): self-rotation needs GitLab 16.10 or later and a personal, project or group access token; renew it by hand`;
      log.error(message);
      // Until the next start: asking again every day would only repeat the refusal.
      this.refused = true;
      this.rotating = false;
      await this.settle({ message });
    } else if (error.status === 401) {
      // Revoked already: rotated by another rulebot sharing this token, or expired.
      await this.reload();
      if (this.token === used) await this.markLost('refused', 'GitLab refused the token when rulebot asked to rotate it (401)');
    } else {
      // No answer, or a 5xx: GitLab may have rotated it. Asking with the old token tells.
      await this.lookIntoUnfinished();
    }
  }

  /**
   * A rotation began and its outcome is unknown (rulebot stopped, or the answer was lost). GitLab
   * revoked the old token if it rotated: a 401 for `GET /personal_access_tokens/self` says so.
   */
  private async lookIntoUnfinished(): Promise<void> {
    try {
      await getTokenSelf(this.options.clientFor(this.token));
    } catch (error) {
      if (error instanceof GitLabApiError && error.status === 401) {
        await this.markLost('rotation', `a rotation began at ${this.pendingSince()} and its answer was never stored`);
        return;
      }
      if (error instanceof GitLabApiError && error.retryable) return; // asked again at the next check
      if (!(error instanceof GitLabApiError && (error.status === 403 || error.status === 404))) throw error;
    }
    this.options.log.warn(`a token rotation begun at ${this.pendingSince()} did not happen (the token still works); it is tried again when due`);
    await this.settle(undefined);
  }

  private async markLost(cause: 'rotation' | 'refused', what: string): Promise<void> {
    const record = this.last.record;
    const message = lostTokenHelp({ cause, what, tokenId: record?.token_id });
    this.options.log.error(message);
    await this.settle({ message, lost: true });
  }

  /** Ends a lease, recording what went wrong (or nothing). */
  private settle(problem: { message: string; lost?: boolean } | undefined): Promise<void> {
    const at = this.options.now();
    return this.update((record) => ({ ...record, pending: undefined, problem: problem && { at, ...problem } }));
  }

  private pendingSince(): string {
    const started = this.last.record?.pending?.started_at;
    return started === undefined ? 'an unknown time' : new Date(started).toISOString();
  }

  /** Whether a lease was left behind: run out, or (at start) held by an earlier run of this server. */
  private abandoned(pending: { started_at: number; owner: string }, atStart: boolean): boolean {
    if (this.options.now() - pending.started_at > LEASE_MS) return true;
    const prefix = this.options.deadOwnerPrefix;
    return atStart && prefix !== undefined && pending.owner.startsWith(prefix) && pending.owner !== this.options.owner;
  }

  /** Read-modify-write of this line's record, retried when another writer came first. */
  private async update(change: (record: CredentialRecord) => CredentialRecord): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const read = await this.options.records.read();
      if (!read.record || read.record.lineage !== this.options.lineage) return;
      const written = await this.options.records.write(read, change(read.record));
      if (written) {
        await this.adopt(written);
        return;
      }
    }
  }

  private async reload(): Promise<void> {
    await this.adopt(await this.options.records.read());
  }

  /** Takes the record's token when it belongs to this line; the configured token otherwise. */
  private async adopt(read: ReadRecord): Promise<void> {
    this.last = read;
    const record = read.record;
    if (record?.lineage === this.options.lineage && record.scopes) this.rotating = this.rotationAllowed(record.scopes);
    if (!record || record.kind !== 'private' || record.lineage !== this.options.lineage || !record.sealed) {
      if (!record?.sealed || record.lineage !== this.options.lineage) this.token = this.options.configured;
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

/**
 * With the credential known gone, GitLab's 401 is made retryable: events wait with the usual back-off
 * (up to RETRY_GIVE_UP_AFTER_SECONDS, then they are kept as dead letters) instead of failing at once,
 * so that they run once an operator has set a new credential.
 */
export function throwIfLost(record: CredentialRecord | undefined): void {
  const problem = record?.problem;
  if (!problem?.lost) return;
  throw new GitLabApiError({ status: 401, method: 'GET', path: '(any)', message: problem.message, retryable: true });
}

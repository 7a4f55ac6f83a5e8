// One line of credentials in the store record: reading it, changing it by compare-and-set, its lease.
import { GitLabApiError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CredentialRecord, CredentialRecords, ReadRecord } from './credential-record.js';

/** How long a rotation or refresh may be under way before others take it for abandoned (one request, 30 s at most). */
export const LEASE_MS = 2 * 60_000;

export interface RecordLineOptions {
  records: CredentialRecords;
  kind: CredentialRecord['kind'];
  /** Fingerprint of the configured credential: a record of another line belongs to one the operator replaced. */
  lineage: string;
  log: Logger;
  now: () => number;
  /** Who takes the lease: `<runtime>:<random>`. */
  owner: string;
  /**
   * Leases held by other owners with this prefix belong to a process that is gone (the Node server's
   * earlier runs: one server per DATA_DIR), and are looked into at start without waiting for them.
   */
  deadOwnerPrefix?: string | undefined;
  /** Called with every state read or written, so the holder takes the current secret from it. */
  adopt: (read: ReadRecord) => Promise<void>;
}

/**
 * The store record is the truth shared by processes and Worker isolates; every change is a
 * compare-and-set on it, and a rotation or refresh first writes a lease (`pending`) there.
 */
export class RecordLine {
  last: ReadRecord = { text: undefined, record: undefined };

  constructor(private readonly options: RecordLineOptions) {}

  get record(): CredentialRecord | undefined {
    return this.last.record;
  }

  /** Whether a record belongs to this line. */
  mine(record: CredentialRecord | undefined): boolean {
    return record?.kind === this.options.kind && record.lineage === this.options.lineage;
  }

  async read(): Promise<ReadRecord> {
    const read = await this.options.records.read();
    this.last = read;
    await this.options.adopt(read);
    return read;
  }

  /**
   * At start: this line's record, begun afresh when there is none, or (with `replaceForeign`) when the
   * one stored grew from another configured credential. `replaced` says so in the log.
   */
  async open(replaceForeign: boolean, replaced: string): Promise<void> {
    const read = await this.options.records.read();
    const record = read.record;
    if (!record || (!this.mine(record) && replaceForeign)) {
      if (record?.sealed) this.options.log.warn(replaced);
      const written = await this.options.records.write(read, { kind: this.options.kind, lineage: this.options.lineage, generation: 0 });
      if (written) {
        this.last = written;
        await this.options.adopt(written);
        return;
      }
    }
    await this.read();
  }

  /** Read-modify-write of this line's record, retried when another writer came first. */
  async update(change: (record: CredentialRecord) => CredentialRecord): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const read = await this.options.records.read();
      if (!read.record || !this.mine(read.record)) return;
      const written = await this.options.records.write(read, change(read.record));
      if (written) {
        this.last = written;
        await this.options.adopt(written);
        return;
      }
    }
  }

  /** Ends a lease, recording what went wrong (or nothing). */
  settle(problem: { message: string; lost?: boolean } | undefined): Promise<void> {
    const at = this.options.now();
    return this.update((record) => ({ ...record, pending: undefined, problem: problem && { at, ...problem } }));
  }

  /** Takes the lease on `read`; the state with it, or undefined when the record changed meanwhile. */
  async claim(read: ReadRecord): Promise<ReadRecord | undefined> {
    const record = read.record!;
    return this.options.records.write(read, { ...record, pending: { started_at: this.options.now(), owner: this.options.owner } });
  }

  /** Whether a lease was left behind: run out, or (at start) held by an earlier run of this server. */
  abandoned(pending: { started_at: number; owner: string }, atStart: boolean): boolean {
    if (this.options.now() - pending.started_at > LEASE_MS) return true;
    const prefix = this.options.deadOwnerPrefix;
    return atStart && prefix !== undefined && pending.owner.startsWith(prefix) && pending.owner !== this.options.owner;
  }

  /** When the lease on the record began, for messages. */
  pendingSince(): string {
    const started = this.last.record?.pending?.started_at;
    return started === undefined ? 'an unknown time' : new Date(started).toISOString();
  }

  /**
   * Writes a new secret over the lease taken as `claimed`. It keeps trying, since GitLab will not give
   * the secret again: if the record changed under the lease (another took it for abandoned), the secret
   * in hand is still the one that works.
   */
  async store(claimed: ReadRecord, next: CredentialRecord, what: string): Promise<void> {
    let expected = claimed;
    for (let attempt = 1; ; attempt++) {
      try {
        const written = await this.options.records.write(expected, next);
        if (written) {
          this.last = written;
          return;
        }
        expected = await this.options.records.read();
      } catch (error) {
        this.options.log.error(`the ${what} could not be stored (attempt ${attempt}); rulebot uses it meanwhile and tries again`, { error });
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
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

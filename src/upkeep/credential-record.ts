// The credential state kept in the store: the current secret (sealed), what GitLab said of it, a change under way.
import { z } from 'zod';
import type { Store } from '../store/index.js';
import type { SealedBox } from './sealed-box.js';

/** The store key of the record; one record per rulebot (one credential). */
export const RECORD_KEY = 'credentials:gitlab';

export const CredentialRecordSchema = z.object({
  kind: z.enum(['private', 'oauth']),
  /** Fingerprint of the configured credential (GITLAB_TOKEN, or the OAuth refresh token) this line of secrets grew from. */
  lineage: z.string(),
  /** Increases with every new secret: the version a rotation or refresh compares with. */
  generation: z.number().int().min(0),
  /** The current secret, sealed; absent while the configured one is current. */
  sealed: z.string().optional(),
  /** Access tokens: GitLab's id of the token, its scopes, its expiry date (`YYYY-MM-DD`, or null: never). */
  token_id: z.number().optional(),
  scopes: z.array(z.string()).optional(),
  expires_at: z.string().nullable().optional(),
  /** OAuth: when the access token stops working (epoch ms). */
  access_expires_at: z.number().optional(),
  /** When the secret was last rotated or refreshed, and when GitLab was last asked about it (epoch ms). */
  changed_at: z.number().optional(),
  checked_at: z.number().optional(),
  /**
   * A rotation or refresh under way, written before GitLab is asked: a lease for the one that makes it,
   * and, if rulebot stops before the answer is stored, the trace that says so at the next start.
   */
  pending: z.object({ started_at: z.number(), owner: z.string() }).optional(),
  /** The last thing that went wrong, for `/status` and the log; `lost`: the credential no longer works. */
  problem: z.object({ at: z.number(), message: z.string(), lost: z.boolean().optional() }).optional(),
});
export type CredentialRecord = z.infer<typeof CredentialRecordSchema>;

/** A record as read, with its text: the value a compare-and-set expects. */
export interface ReadRecord {
  text: string | undefined;
  record: CredentialRecord | undefined;
}

/** Reads and writes the record; every write is a compare-and-set against what was read. */
export class CredentialRecords {
  constructor(
    private readonly store: Store,
    private readonly box: () => Promise<SealedBox>,
  ) {}

  async read(): Promise<ReadRecord> {
    const text = await this.store.value(RECORD_KEY);
    if (text === undefined) return { text, record: undefined };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = CredentialRecordSchema.safeParse(json);
    return { text, record: parsed.success ? parsed.data : undefined };
  }

  /** Writes `next` if the record is still `previous`; the new read state, or undefined when it changed meanwhile. */
  async write(previous: ReadRecord, next: CredentialRecord): Promise<ReadRecord | undefined> {
    const text = JSON.stringify(next);
    return (await this.store.swapValue(RECORD_KEY, previous.text, text)) ? { text, record: next } : undefined;
  }

  async seal(secret: string): Promise<string> {
    return (await this.box()).seal(RECORD_KEY, secret);
  }

  async open(sealed: string): Promise<string | undefined> {
    return (await this.box()).open(RECORD_KEY, sealed);
  }
}

// Verifies GitLab's signed webhooks (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature) with Web Crypto.
import { WebhookAuthError } from '../errors.js';
import { bytesEqual } from './constant-time.js';
import { decodeBase64, decodeSigningKey } from '../config/signing-key.js';

/** How far, in seconds, a signed timestamp may be from rulebot's clock, either way (the Standard Webhooks default). */
export const SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

export interface SignatureVerifierOptions {
  /** Signing tokens as GitLab shows them (`whsec_<base64>`); a delivery signed with any of them is accepted. */
  keys: readonly string[];
  /** Current time in milliseconds since the epoch. Default: `Date.now`. */
  now?: () => number;
  /** Allowed clock difference in seconds. Default: 300. */
  toleranceSeconds?: number;
}

/** Checks a delivery's signature; resolves to its signed `webhook-id`, throws WebhookAuthError otherwise. */
export type SignatureVerifier = (headers: Headers, body: Uint8Array<ArrayBuffer>) => Promise<{ id: string }>;

const encoder = new TextEncoder();
const SHA256_BYTES = 32;

/**
 * GitLab signs `"{webhook-id}.{webhook-timestamp}.{raw body}"` with HMAC-SHA256 and sends
 * `webhook-signature: v1,<base64>` (several space-separated signatures are allowed by the format).
 * The timestamp is checked first and must be within `toleranceSeconds` of `now()`: a captured delivery
 * cannot be replayed later, and one replayed sooner is caught by its signed webhook-id (the delivery key).
 *
 * @example
 * const verify = createSignatureVerifier({ keys: ['whsec_…'] });
 * const { id } = await verify(request.headers, body);
 */
export function createSignatureVerifier(options: SignatureVerifierOptions): SignatureVerifier {
  const rawKeys = options.keys.map((key, i) => {
    const bytes = decodeSigningKey(key);
    if (!bytes) throw new TypeError(`signing key ${i + 1} is not "whsec_" followed by base64`);
    return bytes;
  });
  const now = options.now ?? Date.now;
  const tolerance = options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS;
  // The keys once imported, not the promise of them: on Workers a promise made while handling one
  // request must not be awaited while handling another. Two first requests may both import; one wins.
  let imported: CryptoKey[] | undefined;
  const keys = async () =>
    (imported ??= await Promise.all(rawKeys.map((raw) => crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']))));

  return async (headers, body) => {
    const id = headers.get('webhook-id');
    const timestamp = headers.get('webhook-timestamp');
    const signature = headers.get('webhook-signature');
    if (!id || !timestamp || !signature) {
      const missing = [!id && 'webhook-id', !timestamp && 'webhook-timestamp', !signature && 'webhook-signature'].filter(Boolean);
      throw new WebhookAuthError(
        'missing_signature',
        `missing ${missing.join(', ')} header${missing.length > 1 ? 's' : ''}: GITLAB_WEBHOOK_SIGNING_KEY is set, so every delivery must be signed; ` +
          'set the signing token in the GitLab webhook settings',
      );
    }
    checkTimestamp(timestamp, now() / 1000, tolerance);
    const given = parseSignatures(signature);
    if (given.length === 0) {
      throw new WebhookAuthError('invalid_signature', 'webhook-signature holds no v1 signature: expected "v1,<base64 HMAC-SHA256>"');
    }
    const content = signedContent(id, timestamp, body);
    const expected = await Promise.all((await keys()).map(async (key) => new Uint8Array(await crypto.subtle.sign('HMAC', key, content))));
    // Every pair is compared, without an early exit, so timing does not tell which key or signature matched.
    let matched = false;
    for (const mac of expected) for (const candidate of given) matched = bytesEqual(mac, candidate) || matched;
    if (!matched) {
      throw new WebhookAuthError('invalid_signature', 'webhook-signature does not match the delivery signed with any configured signing token');
    }
    return { id };
  };
}

function checkTimestamp(header: string, nowSeconds: number, tolerance: number): void {
  if (!/^\d{1,12}$/.test(header)) {
    throw new WebhookAuthError('invalid_signature', 'webhook-timestamp is not a unix time in seconds');
  }
  const age = Math.round(nowSeconds - Number(header));
  if (Math.abs(age) <= tolerance) return;
  const when = age > 0 ? `${age} s in the past` : `${-age} s in the future`;
  throw new WebhookAuthError(
    'stale_timestamp',
    `webhook-timestamp is ${when}, expected within ${tolerance} s of rulebot's clock: a replayed delivery, or the clocks of GitLab and rulebot disagree`,
  );
}

/** The `v1` signatures of a `webhook-signature` header, decoded; other versions and malformed entries are skipped. */
function parseSignatures(header: string): Uint8Array[] {
  const signatures: Uint8Array[] = [];
  for (const entry of header.split(' ')) {
    if (!entry.startsWith('v1,')) continue;
    const bytes = decodeBase64(entry.slice(3));
    if (bytes?.length === SHA256_BYTES) signatures.push(bytes);
  }
  return signatures;
}

function signedContent(id: string, timestamp: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const content = new Uint8Array(prefix.length + body.length);
  content.set(prefix);
  content.set(body, prefix.length);
  return content;
}

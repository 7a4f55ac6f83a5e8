// POST /webhooks/gitlab: authenticate, read, parse, normalise, drop repeats and the bot's own events, enqueue, answer.
import type { Context } from 'hono';
import { unreadableReason, type Job } from '../queue/index.js';
import { PayloadError, RulebotError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import { checkRequest } from './check-request.js';
import { deliveryKey } from './delivery-key.js';
import { normalizeEvent } from '../event/from-webhook.js';
import type { RuleEvent } from '../event/event.js';
import { eventLogFields } from '../event/log-fields.js';
import { decodeJsonText, parseJsonObject } from './parse-json.js';
import { BodyBudget } from './body-budget.js';
import { readBody } from './read-body.js';
import { createSignatureVerifier } from './verify-signature.js';
import { createTokenVerifier } from './verify-token.js';

export interface WebhookDeps {
  /**
   * Accepted `X-Gitlab-Token` values (several while a secret is rotated). Empty: the token is not checked
   * (dry-run set-ups, or signing only; the config demands a secret or a signing key with a GitLab token).
   */
  secrets: readonly string[];
  /** Signing tokens (`whsec_…`). When any is set, every delivery must carry a valid `webhook-signature`. */
  signingKeys: readonly string[];
  /** Clock for the signed timestamp check, in milliseconds since the epoch. Default: `Date.now`. */
  now?: () => number;
  maxBodyBytes: number;
  /** Bytes of bodies read at once (default: unbounded); further deliveries wait for room. */
  maxBodyBytesInFlight?: number;
  store: Store;
  /** Awaited before the 202: on Workers it is a queue send, which must finish within the request. */
  enqueue: (job: Job) => void | Promise<void>;
  /** False while shutting down: new deliveries are then refused with 503 and `Retry-After`. */
  accepting?: () => boolean;
  /** The bot's own user id, once known: its events are ignored so that its actions cannot loop. */
  botUserId: () => number | undefined;
  log: Logger;
  /** Told what became of each authentic delivery, before it is answered (metrics, records of deliveries not acted on). */
  onDelivery?: (delivery: Delivery, c: Context) => void;
  /** Told when a delivery is answered with an error (its code) rather than taken. */
  onRefused?: (code: string, c: Context) => void;
}

/** What became of one authentic delivery. */
export interface Delivery {
  status: 'accepted' | 'duplicate' | 'ignored' | 'dead_letter';
  /** The event id answered (none for an ignored delivery). */
  id: string | undefined;
  /** Why it was ignored, or what made it a dead letter. */
  reason?: string;
  event: RuleEvent | undefined;
  payload: Record<string, unknown>;
  /** `X-Gitlab-Event` and `X-Gitlab-Event-UUID`. */
  hook: string | undefined;
  eventUuid: string | undefined;
  receivedAt: number;
}

/**
 * Answers within GitLab's 10 s limit by doing only cheap work here; rules run after the answer.
 * Authentic events rulebot does not act on still get a 2xx: GitLab disables hooks that keep failing.
 */
export function createWebhookHandler(deps: WebhookDeps) {
  const verifyToken = deps.secrets.length > 0 ? createTokenVerifier(deps.secrets) : undefined;
  const verifySignature =
    deps.signingKeys.length > 0 ? createSignatureVerifier({ keys: deps.signingKeys, ...(deps.now && { now: deps.now }) }) : undefined;
  const budget = new BodyBudget(deps.maxBodyBytesInFlight ?? Number.POSITIVE_INFINITY);

  const handle = async (c: Context): Promise<Response> => {
    if (deps.accepting && !deps.accepting()) {
      deps.onRefused?.('shutting_down', c);
      // Shutting down: GitLab counts 503 as a failed delivery, and "Resend" brings the event back.
      return c.json({ error: 'rulebot is shutting down; send the event again shortly', code: 'shutting_down' }, 503, { 'retry-after': '30' });
    }
    const headers = c.req.raw.headers;
    // URL, header sizes and token are checked before the body is read: unauthenticated senders cost nothing.
    checkRequest(new URL(c.req.url), headers);
    verifyToken?.(headers.get('x-gitlab-token') ?? undefined);

    const contentType = headers.get('content-type');
    if (contentType && !/^application\/(.+\+)?json\b/i.test(contentType)) {
      throw new PayloadError('unsupported_media_type', `expected Content-Type application/json, got ${contentType}`);
    }
    // Room for the body is reserved before it is read, and given back once it is stored: twenty 24 MB
    // deliveries at once wait for each other instead of holding 500 MB. Without a declared length
    // the largest body GitLab may send is reserved.
    const declared = Number(headers.get('content-length') ?? Number.NaN);
    // A declared length over the limit is refused by readBody before anything is read: it takes no room.
    const room = !Number.isFinite(declared) ? deps.maxBodyBytes : declared > deps.maxBodyBytes ? 0 : declared;
    if (budget.wouldWait(room)) deps.log.debug('delivery waits for room to read its body', { bytes: room, in_flight: budget.bytesInFlight });
    const release = await budget.reserve(room);
    try {
      return await receive(c, headers, await readBody(c.req.raw, deps.maxBodyBytes));
    } finally {
      release();
    }
  };
  const refused = deps.onRefused;
  // Refusals are told here, so that the way of an accepted delivery has no extra step.
  const handler = !refused
    ? handle
    : (c: Context): Promise<Response> =>
        handle(c).catch((error: unknown) => {
          refused(error instanceof RulebotError ? error.code : 'internal_error', c);
          throw error;
        });
  return handler;

  async function receive(c: Context, headers: Headers, bytes: Uint8Array<ArrayBuffer>): Promise<Response> {
    // The signature covers the body, so it is checked after the size-limited read and before parsing.
    const signed = verifySignature ? await verifySignature(headers, bytes) : undefined;
    // `object_kind` decides the kind; X-Gitlab-Event is not compared with it (System Hooks send
    // merge_request events under "System Hook"), so a mismatch is no error.
    const text = decodeJsonText(bytes);
    const payload = parseJsonObject(text);

    const result = normalizeEvent(payload);
    const eventUuid = headers.get('x-gitlab-event-uuid') ?? undefined;
    const now = (deps.now ?? Date.now)();
    const hook = headers.get('x-gitlab-event') ?? undefined;
    const tell = deps.onDelivery;
    if ('ignored' in result) {
      tell?.({ status: 'ignored', id: undefined, reason: result.ignored, event: undefined, payload, hook, eventUuid, receivedAt: now }, c);
      return c.json({ status: 'ignored', reason: result.ignored }, 200);
    }
    const event = 'event' in result ? result.event : undefined;
    if (event && event.user.id === deps.botUserId()) {
      tell?.({ status: 'ignored', id: undefined, reason: "event caused by rulebot's own user", event, payload, hook, eventUuid, receivedAt: now }, c);
      return c.json({ status: 'ignored', reason: "event caused by rulebot's own user" }, 200);
    }

    const key = await deliveryKey(headers, bytes, signed?.id);
    const id = signed?.id ?? headers.get('idempotency-key') ?? crypto.randomUUID();
    const stored = {
      id, project_id: event?.project.id ?? projectIdOf(payload), payload: text, event_uuid: eventUuid,
      received_at: now, attempts: 0, next_attempt_at: now, last_error: undefined,
    };
    // Stored (on Node: committed to disk) before the 202: GitLab never re-sends what was acknowledged.
    if (!(await deps.store.acceptDelivery(key, stored))) {
      deps.log.info('duplicate delivery ignored', { ...(event ? eventLogFields(id, event) : { event_id: id }), key });
      tell?.({ status: 'duplicate', id, reason: `a delivery with the same key (${key}) was accepted before`, event, payload, hook, eventUuid, receivedAt: now }, c);
      return c.json({ status: 'duplicate', event_id: id }, 200);
    }
    if ('unreadable' in result) {
      // Authentic, but in a shape this version cannot read: refusing it would count towards GitLab
      // disabling the hook and lose it. Kept as a dead letter that names the field; put it back after an upgrade.
      const reason = unreadableReason(result.unreadable);
      await deps.store.deadLetter(id, reason, { attempts: 0, first_attempt_at: undefined });
      deps.log.error('event cannot be read; kept as a dead letter', { event_id: id, reason });
      tell?.({ status: 'dead_letter', id, reason, event: undefined, payload, hook, eventUuid, receivedAt: now }, c);
      return c.json({ status: 'dead_letter', event_id: id, code: 'unreadable_payload', error: result.unreadable }, 202);
    }
    const readable = result.event;
    // The body stays in the store only: a backlog of queued events holds their normalised form, not 6 KB each.
    await deps.enqueue({ id, event: readable, eventUuid, stored: { ...stored, payload: '' } });
    deps.log.info('event accepted', { ...eventLogFields(id, readable), event: readable.names.at(-1) });
    tell?.({ status: 'accepted', id, event: readable, payload, hook, eventUuid, receivedAt: now }, c);
    return c.json({ status: 'accepted', event_id: id }, 202);
  }
}

/** The project id of a payload whose event cannot be read, when it names one; 0 otherwise. */
function projectIdOf(payload: Record<string, unknown>): number {
  const project = payload['project'] as { id?: unknown } | null | undefined;
  const id = Number(project?.id ?? payload['project_id']);
  return Number.isSafeInteger(id) && id > 0 ? id : 0;
}

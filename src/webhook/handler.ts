// POST /webhooks/gitlab: authenticate, read, parse, normalise, drop repeats and the bot's own events, enqueue, answer.
import type { Context } from 'hono';
import type { Job } from '../actions/event-queue.js';
import { PayloadError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import { deliveryKey } from './delivery-key.js';
import { normalizeEvent } from './normalize.js';
import { readBody } from './read-body.js';
import { verifyToken } from './verify-token.js';

export interface WebhookDeps {
  /** Without a secret every sender is accepted (dry-run set-ups only; the config demands one with a token). */
  secret: string | undefined;
  maxBodyBytes: number;
  store: Store;
  enqueue: (job: Job) => void;
  /** The bot's own user id, once known: its events are ignored so that its actions cannot loop. */
  botUserId: () => number | undefined;
  log: Logger;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Answers within GitLab's 10 s limit by doing only cheap work here; rules run after the answer.
 * Authentic events rulebot does not act on still get a 2xx: GitLab disables hooks that keep failing.
 */
export function createWebhookHandler(deps: WebhookDeps) {
  return async (c: Context): Promise<Response> => {
    // The token is checked before the body is read: unauthenticated senders cost nothing.
    if (deps.secret !== undefined) await verifyToken(c.req.header('x-gitlab-token'), deps.secret);

    const contentType = c.req.header('content-type');
    if (contentType && !/^application\/(.+\+)?json\b/i.test(contentType)) {
      throw new PayloadError('unsupported_media_type', `expected Content-Type application/json, got ${contentType}`);
    }
    const bytes = await readBody(c.req.raw, deps.maxBodyBytes);
    const payload = parseJsonObject(bytes);

    const result = normalizeEvent(payload);
    if ('ignored' in result) return c.json({ status: 'ignored', reason: result.ignored }, 200);
    const event = result.event;
    if (event.user.id === deps.botUserId()) {
      return c.json({ status: 'ignored', reason: "event caused by rulebot's own user" }, 200);
    }

    const headers = c.req.raw.headers;
    const key = await deliveryKey(headers, bytes);
    const id = headers.get('idempotency-key') ?? crypto.randomUUID();
    if (key !== undefined && !(await deps.store.recordDelivery(key))) {
      deps.log.info('duplicate delivery ignored', { event_id: id, key });
      return c.json({ status: 'duplicate', event_id: id }, 200);
    }
    deps.enqueue({ id, event, eventUuid: headers.get('x-gitlab-event-uuid') ?? undefined });
    deps.log.info('event accepted', { event_id: id, event: event.names.at(-1), project: event.project.path_with_namespace });
    return c.json({ status: 'accepted', event_id: id }, 202);
  };
}

function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (cause) {
    throw new PayloadError('invalid_json', 'body is not valid UTF-8 text', { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new PayloadError('invalid_json', `body is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new PayloadError('not_an_object', `expected a JSON object (a GitLab event), got ${found}`);
  }
  return value as Record<string, unknown>;
}

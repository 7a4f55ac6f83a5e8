// Tells a re-sent delivery from a new one.

/**
 * The key under which a delivery is remembered. GitLab 17.4+ sends `Idempotency-Key`, unchanged when
 * the same event is re-sent. Older versions send none; there `X-Gitlab-Event-UUID` plus a hash of the
 * body is used, because one UUID is shared by every hook along a chain of events (webhooks.md).
 * Without either header a delivery cannot be recognised and is never treated as a repeat.
 * A verified signature's `webhook-id` (GitLab sets it equal to the Idempotency-Key) takes precedence: it is
 * signed, so a replayed delivery cannot pass as new by changing the unsigned Idempotency-Key.
 */
export async function deliveryKey(headers: Headers, body: Uint8Array<ArrayBuffer>, signedId?: string): Promise<string | undefined> {
  const idempotencyKey = signedId ?? headers.get('idempotency-key');
  if (idempotencyKey) return `idempotency:${idempotencyKey}`;
  const eventUuid = headers.get('x-gitlab-event-uuid');
  if (!eventUuid) return undefined;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `event:${eventUuid}:${hex}`;
}

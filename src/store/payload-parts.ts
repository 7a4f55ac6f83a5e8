// Long payloads cut into parts the store can hold: a Durable Object's SQLite takes at most 2 MB in one value.

/**
 * Characters per part: at most 1.6 MB in UTF-8 (4 bytes for a pair of UTF-16 units, 3 for one),
 * while GitLab sends up to 25 MB.
 */
export const PART_CHARS = 400_000;

/**
 * The payload in parts of at most PART_CHARS characters; one part (the payload itself) when it fits.
 * A cut never falls between the two halves of a surrogate pair: alone, each half would be stored as U+FFFD.
 */
export function payloadParts(payload: string, size = PART_CHARS): string[] {
  if (payload.length <= size) return [payload];
  const parts: string[] = [];
  for (let start = 0; start < payload.length; ) {
    let end = Math.min(payload.length, start + size);
    if (end < payload.length && isHighSurrogate(payload.charCodeAt(end - 1))) end--;
    parts.push(payload.slice(start, end));
    start = end;
  }
  return parts;
}

/** Where a dead letter's parts are kept: apart from those of a job that may come with the same id. */
export function deadPartsKey(id: string): string {
  return `dead-letter:${id}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

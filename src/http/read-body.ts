// Reads a request body up to a size limit, refusing larger ones before and while reading.
import { PayloadError } from '../errors.js';

/** Reads the whole body as bytes; throws PayloadError `payload_too_large` past `limit` bytes. */
export async function readBody(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const length = request.headers.get('content-length');
  const declared = Number(length);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit, `${declared} bytes`);
  // With a declared length the runtime cannot deliver more than that: read it in one go. On Node this is
  // the adapter's fast path, and `request.body` must not be touched before it: that getter alone builds a
  // full web Request around the Node request (AbortSignal, Headers, ReadableStream). Without a declared
  // length, count while streaming.
  if (length !== null && Number.isFinite(declared)) return new Uint8Array(await request.arrayBuffer());
  if (!request.body) return new Uint8Array(0);

  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit, `more than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function tooLarge(limit: number, found: string): PayloadError {
  return new PayloadError('payload_too_large', `body too large: expected at most ${limit} bytes (GitLab's own limit), got ${found}`);
}

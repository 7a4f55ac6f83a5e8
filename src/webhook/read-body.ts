// Reads a request body up to a size limit, refusing larger ones before and while reading.
import { PayloadError } from '../errors.js';

/** Reads the whole body as bytes; throws PayloadError `payload_too_large` past `limit` bytes. */
export async function readBody(request: Request, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit, `${declared} bytes`);
  if (!request.body) return new Uint8Array(0);
  // With a declared length the runtime cannot deliver more than that: read it in one go (the Node
  // adapter's fast path, which skips building a web stream). Without one, count while streaming.
  if (request.headers.has('content-length') && Number.isFinite(declared)) return new Uint8Array(await request.arrayBuffer());

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

// Reads GitLab's webhook signing tokens (`whsec_<base64 key>`, the Standard Webhooks format).

/** GitLab shows every signing token with this prefix; the HMAC key is the base64 text after it. */
export const SIGNING_KEY_PREFIX = 'whsec_';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The HMAC key of a signing token, or undefined when `token` is not `whsec_` followed by non-empty
 * standard base64. Uses `atob` (a Web standard), so it runs on Node and on Workers alike.
 *
 * @example decodeSigningKey('whsec_c2VjcmV0LWtleS1ieXRlcw==') // the bytes of "secret-key-bytes"
 */
export function decodeSigningKey(token: string): Uint8Array<ArrayBuffer> | undefined {
  if (!token.startsWith(SIGNING_KEY_PREFIX)) return undefined;
  const base64 = token.slice(SIGNING_KEY_PREFIX.length);
  if (base64 === '' || !BASE64.test(base64)) return undefined;
  return decodeBase64(base64);
}

/** Decodes standard base64; undefined when `text` is not base64. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

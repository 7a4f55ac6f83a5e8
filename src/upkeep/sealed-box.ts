// Seals secrets for the store: AES-256-GCM under a key derived with HKDF-SHA-256, Web Crypto only (Node and Workers).

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Names what the key is for, so the same key material never serves another purpose. */
const SALT = encoder.encode('rulebot sealed credentials v1');
const FORMAT = 'v1';

/**
 * Encrypts and authenticates small secrets (tokens) so that the store never holds them in plain text.
 * Each value has a fresh 96-bit IV and is bound to its slot (`name`, as additional data): a sealed value
 * moved to another slot, altered, or opened with another key does not open.
 *
 * @example
 * const box = await SealedBox.derive(config.tokenStoreKey);
 * const sealed = await box.seal('gitlab', token);   // "v1.<iv>.<ciphertext>", base64url
 * await box.open('gitlab', sealed);                 // the token, or undefined
 */
export class SealedBox {
  private constructor(private readonly key: CryptoKey) {}

  /** Derives the AES-GCM key from key material (TOKEN_STORE_KEY, or the configured credential). */
  static async derive(material: string): Promise<SealedBox> {
    const base = await crypto.subtle.importKey('raw', encoder.encode(material), 'HKDF', false, ['deriveKey']);
    const key = await crypto.subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: SALT, info: encoder.encode('aes-256-gcm') },
      base,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
    return new SealedBox(key);
  }

  async seal(name: string, secret: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(name) }, this.key, encoder.encode(secret));
    return `${FORMAT}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(data))}`;
  }

  /** The secret, or undefined when the value was sealed under another key or for another slot, or altered. */
  async open(name: string, sealed: string): Promise<string | undefined> {
    const [format, iv, data] = sealed.split('.');
    if (format !== FORMAT || !iv || !data) return undefined;
    try {
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: encoder.encode(name) }, this.key, fromBase64Url(data));
      return decoder.decode(plain);
    } catch {
      return undefined;
    }
  }
}

/** A short, one-way name for a secret (SHA-256, hex): tells whether two secrets are the same without keeping either. */
export async function fingerprint(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(`rulebot fingerprint\0${text}`)));
  return Array.from(digest.slice(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function toBase64Url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// Signed session cookies for the page: no server-side state, so any process or Worker isolate can check them.
const encoder = new TextEncoder();

/** How long a sign-in lasts. */
export const SESSION_SECONDS = 12 * 3600;
export const SESSION_COOKIE = 'rulebot_session';

export interface Session {
  /** Random, per sign-in: the CSRF token is derived from it. */
  nonce: string;
  expiresAt: number;
}

/**
 * Issues and checks `v1.<expiry>.<nonce>.<HMAC-SHA256>` cookies and the per-session CSRF token
 * (the HMAC of the nonce). The key is derived from every credential that opens the page, so changing
 * or rotating one signs everybody out. Web Crypto only; the imported key is cached, never the promise
 * of it (on Workers a promise must not be shared between requests).
 */
export class SessionSigner {
  private key: CryptoKey | undefined;

  constructor(
    private readonly credentials: readonly string[],
    private readonly now: () => number = Date.now,
  ) {}

  async issue(): Promise<{ cookie: string; session: Session }> {
    const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)));
    const expiresAt = Math.floor(this.now() / 1000) + SESSION_SECONDS;
    const payload = `v1.${expiresAt}.${nonce}`;
    return { cookie: `${payload}.${await this.sign(payload)}`, session: { nonce, expiresAt } };
  }

  /** The session a cookie holds, if its signature is right and it has not expired. */
  async read(cookie: string | undefined): Promise<Session | undefined> {
    const parts = cookie?.split('.');
    if (!parts || parts.length !== 4 || parts[0] !== 'v1') return undefined;
    const [version, expiry, nonce, mac] = parts as [string, string, string, string];
    const expiresAt = Number(expiry);
    if (!Number.isSafeInteger(expiresAt) || expiresAt * 1000 <= this.now()) return undefined;
    if (!(await this.verify(`${version}.${expiry}.${nonce}`, mac))) return undefined;
    return { nonce, expiresAt };
  }

  /** The token every form of this session carries; a page on another site cannot know it. */
  csrfToken(session: Session): Promise<string> {
    return this.sign(`csrf.${session.nonce}`);
  }

  checkCsrf(session: Session, token: string | undefined): Promise<boolean> {
    return token ? this.verify(`csrf.${session.nonce}`, token) : Promise.resolve(false);
  }

  private async sign(text: string): Promise<string> {
    return base64url(new Uint8Array(await crypto.subtle.sign('HMAC', await this.hmacKey(), encoder.encode(text))));
  }

  /** Compared by Web Crypto, which takes the same time whatever the MAC holds. */
  private async verify(text: string, mac: string): Promise<boolean> {
    const bytes = fromBase64url(mac);
    if (!bytes) return false;
    return crypto.subtle.verify('HMAC', await this.hmacKey(), bytes, encoder.encode(text));
  }

  private async hmacKey(): Promise<CryptoKey> {
    if (this.key) return this.key;
    const material = await crypto.subtle.digest('SHA-256', encoder.encode(`rulebot ui session\0${this.credentials.join('\0')}`));
    this.key = await crypto.subtle.importKey('raw', material, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return this.key;
  }
}

function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[\w-]{1,100}$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

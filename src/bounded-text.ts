// Text from outside (GitLab's error bodies, any error message) as it may be logged, stored or shown: short, without secrets.

/** The most bytes of UTF-8 that one piece of outside text takes in a log line, the store or an answer: 2 KB. */
export const MAX_TEXT_BYTES = 2048;

const encoder = new TextEncoder();

/**
 * `text` cut to at most `maxBytes` bytes of UTF-8 (default 2 KB), marker included, ending with a marker
 * that says how long it was: `… (5242880 bytes, cut)`. The cut falls between two characters, never
 * inside a surrogate pair. Text that fits is returned as it is; `maxBytes` must leave room for the marker.
 *
 * @example
 * boundText('x'.repeat(5_000_000)); // 'xxx…xx… (5000000 bytes, cut)', 2048 bytes long
 */
export function boundText(text: string, maxBytes = MAX_TEXT_BYTES): string {
  // No UTF-16 code unit takes more than 3 bytes of UTF-8: short text fits without being measured.
  if (text.length * 3 <= maxBytes) return text;
  const bytes = encoder.encode(text).byteLength;
  if (bytes <= maxBytes) return text;
  const marker = `… (${bytes} bytes, cut)`;
  const room = new Uint8Array(Math.max(0, maxBytes - encoder.encode(marker).byteLength));
  // encodeInto writes whole characters only: `read` never ends between the two halves of a pair.
  const { read } = encoder.encodeInto(text, room);
  return text.slice(0, read) + marker;
}

/**
 * The strings to replace so that none of `secrets` shows: each as written, as JSON escapes it (a secret
 * holding `"` or `\` appears escaped in a JSON line or body) and URL-encoded (as a query or a form
 * echoes it), longest first so that a secret containing another is replaced whole. Values shorter than
 * 4 characters are skipped: replacing them would garble every text.
 */
export function redactionForms(secrets: readonly (string | undefined)[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < 4) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Characters that make up one token with their neighbours: a secret is redacted only where none touches it. */
const TOKEN_CHAR = '[A-Za-z0-9_-]';

/**
 * A function replacing every form of `secrets` (see redactionForms) in a text with `[redacted]`, where
 * it stands as a whole token: in a URL, a header, quotes or `key=value`, but not inside a longer run of
 * letters, digits, `_` and `-`, so that a short secret ("short") leaves the words that contain it
 * ("shorter") alone. A form starting or ending with another character (`=`, `"`) is bounded by it.
 */
export function createRedactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const forms = redactionForms(secrets);
  if (forms.length === 0) return (text) => text;
  const token = new RegExp(`^${TOKEN_CHAR}`);
  const alternatives = forms.map((form) => {
    const before = token.test(form) ? `(?<!${TOKEN_CHAR})` : '';
    const after = token.test(form.at(-1)!) ? `(?!${TOKEN_CHAR})` : '';
    return `${before}${form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${after}`;
  });
  // Longest first (redactionForms' order): at one place, a secret containing another is replaced whole.
  const pattern = new RegExp(alternatives.join('|'), 'g');
  return (text) => text.replace(pattern, '[redacted]');
}

/** A function making outside text fit to keep: secrets replaced first (a cut must not leave half of one), then cut to 2 KB. */
export function createTextCleaner(secrets: readonly (string | undefined)[]): (text: string) => string {
  const redact = createRedactor(secrets);
  return (text) => boundText(redact(text));
}

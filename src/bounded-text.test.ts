import { describe, expect, it } from 'vitest';
import { boundText, createRedactor, createTextCleaner, MAX_TEXT_BYTES } from './bounded-text.js';

const bytes = (text: string) => new TextEncoder().encode(text).byteLength;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('boundText', () => {
  it('returns text that fits as it is', () => {
    expect(boundText('404 Project Not Found')).toBe('404 Project Not Found');
    const exactly = 'é'.repeat(MAX_TEXT_BYTES / 2);
    expect(boundText(exactly)).toBe(exactly);
  });

  it('cuts 5 MB to 2 KB with a marker saying how long it was', () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const cut = boundText(huge);
    expect(bytes(cut)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(cut).toMatch(/^x{2000,}… \(5242880 bytes, cut\)$/);
    expect(bytes(cut)).toBeGreaterThan(MAX_TEXT_BYTES - 4);
  });

  it('never splits a surrogate pair or a multi-byte character, wherever the cut falls', () => {
    for (let shift = 0; shift < 4; shift++) {
      const text = 'a'.repeat(shift) + '😀é€'.repeat(2000);
      const cut = boundText(text, 300);
      expect(bytes(cut), `shift ${shift}`).toBeLessThanOrEqual(300);
      expect(cut, `shift ${shift}`).not.toMatch(LONE_SURROGATE);
      const kept = cut.replace(/… \(\d+ bytes, cut\)$/, '');
      expect(text.startsWith(kept) && kept.length > 0, `shift ${shift}`).toBe(true);
    }
  });

  it('counts the bytes of the whole text in the marker', () => {
    expect(boundText('€'.repeat(1000), 100)).toMatch(/… \(3000 bytes, cut\)$/);
  });
});

describe('createRedactor', () => {
  it('replaces each secret as written, JSON-escaped and URL-encoded, the longest first', () => {
    const redact = createRedactor(['glpat-abc', 'pa"ss word', 'whsec_glpat-abc', undefined, 'abc']);
    expect(redact('token glpat-abc; key whsec_glpat-abc')).toBe('token [redacted]; key [redacted]');
    expect(redact('{"secret":"pa\\"ss word"} ?s=pa%22ss%20word')).toBe('{"secret":"[redacted]"} ?s=[redacted]');
    // Values shorter than 4 characters would garble everything.
    expect(redact('abc')).toBe('abc');
  });

  it('replaces a secret only where it stands as a whole token, not inside a longer word', () => {
    const redact = createRedactor(['short']);
    expect(redact('shorter short-lived short_x xshort short')).toBe('shorter short-lived short_x xshort [redacted]');
    expect(redact('?token=short&a "short" Bearer short\nshort.')).toBe('?token=[redacted]&a "[redacted]" Bearer [redacted]\n[redacted].');
  });
});

describe('createTextCleaner', () => {
  it('redacts before cutting, so a secret across the cut leaves no part of itself', () => {
    const secret = 'glpat-0123456789abcdef';
    const clean = createTextCleaner([secret]);
    for (let at = MAX_TEXT_BYTES - 40; at < MAX_TEXT_BYTES; at += 3) {
      const cleaned = clean(`${'a'.repeat(at)} ${secret} ${'b'.repeat(5000)}`);
      expect(bytes(cleaned)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
      expect(cleaned).not.toContain('glpat-0');
    }
  });
});

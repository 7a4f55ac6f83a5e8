// Compares byte strings without an early exit, so the time taken does not tell how much of them matched.

/**
 * True when `a` and `b` hold the same bytes. Every byte is compared whatever the outcome; only a length
 * difference returns early (lengths here are those of digests and signatures, which are public).
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

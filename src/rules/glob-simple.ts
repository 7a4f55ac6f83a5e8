// Globs of literal text, `*` and a leading or trailing `**` (nearly all of them), matched segment by segment without RE2.
import { matchPieces } from './wildcard.js';

type Test = (text: string) => boolean;

/**
 * A test for `glob` (braces expanded, a leading `./` removed) that agrees with its RE2 translation, when
 * it has no `?`, classes, escapes or `**` between two other segments; undefined otherwise. RE2 costs a
 * few hundred nanoseconds on a short text where these take tens, and rules check globs on every event.
 */
export function simpleGlobTest(glob: string): Test | undefined {
  if (/[?[\\]/.test(glob)) return undefined;
  const segments = glob.split('/').filter((segment, i, all) => !(isGlobstar(segment) && isGlobstar(all[i - 1] ?? '')));
  const leading = isGlobstar(segments[0]!);
  const trailing = segments.length > 1 && isGlobstar(segments.at(-1)!);
  const fixed = segments.slice(leading ? 1 : 0, trailing ? -1 : undefined);
  if (fixed.some(isGlobstar)) return undefined;
  if (leading && fixed.length === 0) return (text) => text !== '';
  if (!glob.includes('*')) return (text) => text === glob;
  if (!leading && trailing && !fixed.some((segment) => segment.includes('*'))) {
    const prefix = fixed.join('/');
    return (text) => text === prefix || text.startsWith(`${prefix}/`);
  }
  const tests = fixed.map(segmentTest);
  const k = tests.length;
  const fitsAt = (parts: string[], start: number) => tests.every((test, i) => test(parts[start + i]!));
  // The literal text before the first star and after the last one must be there: most texts fail here, cheaply.
  const literal = fixed.join('/');
  const stars = literal.includes('*');
  const prefix = leading ? '' : stars ? literal.slice(0, literal.indexOf('*')) : literal;
  const suffix = trailing ? '' : stars ? literal.slice(literal.lastIndexOf('*') + 1) : literal;
  return (text) => {
    if (!text.startsWith(prefix) || !text.endsWith(suffix)) return false;
    const parts = text.split('/');
    if (parts.length < k) return false;
    if (!leading && !trailing) return parts.length === k && fitsAt(parts, 0);
    if (!leading) return fitsAt(parts, 0);
    if (!trailing) return fitsAt(parts, parts.length - k);
    for (let start = 0; start + k <= parts.length; start++) if (fitsAt(parts, start)) return true;
    return false;
  };
}

function isGlobstar(segment: string): boolean {
  return segment.length >= 2 && /^\*+$/.test(segment);
}

/** One segment of literal text and stars; a segment that is a single star needs at least one character. */
function segmentTest(segment: string): Test {
  if (segment === '*') return (part) => part !== '';
  if (!segment.includes('*')) return (part) => part === segment;
  const pieces = segment.split('*');
  return (part) => matchPieces(pieces, part);
}

// Compiled matchers for label patterns (`scope::*`) and path or branch globs, linear in the text they match.
import { compileGlob } from './glob.js';
import { capText } from './regex.js';
import { matchPieces } from './wildcard.js';

export type Matcher = (value: string) => boolean;

/**
 * A label pattern: exact title, or with `*` standing for any run of characters, so `size::*` matches
 * the whole `size::` scoped family. Label titles may contain `/` and spaces, so globs do not fit them.
 * Matched without backtracking (see matchPieces), on the first MAX_MATCHED_LENGTH characters.
 */
export function labelMatcher(pattern: string): Matcher {
  if (!pattern.includes('*')) return (title) => title === pattern;
  const pieces = pattern.split('*');
  return (title) => matchPieces(pieces, capText(title));
}

/** Any of several label patterns. */
export function anyLabelMatcher(patterns: readonly string[]): Matcher {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const wild = patterns.filter((p) => p.includes('*')).map(labelMatcher);
  if (wild.length === 0) return (title) => exact.has(title);
  return (title) => exact.has(title) || wild.some((match) => match(title));
}

/** Any of several globs over `/`-separated paths or branch names (`docs/**`, `release/*`); see compileGlob. */
export function globMatcher(globs: readonly string[]): Matcher {
  const tests = globs.map((glob) => {
    const compiled = compileGlob(glob);
    if ('error' in compiled) throw new Error(`glob was validated by the schema: ${compiled.error}`);
    return compiled.test;
  });
  return tests.length === 1 ? tests[0]! : (value) => tests.some((test) => test(value));
}

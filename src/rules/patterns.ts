// Compiled matchers for label patterns (`scope::*`) and path or branch globs, linear in the text they match.
import { compileGlob } from './glob.js';
import { capText } from './regex.js';

export type Matcher = (value: string) => boolean;

/**
 * A label pattern: exact title, or with `*` standing for any run of characters, so `size::*` matches
 * the whole `size::` scoped family. Label titles may contain `/` and spaces, so globs do not fit them.
 * The pieces between stars are looked for left to right, each as early as it can be, which is never
 * worse than any other placement: no backtracking, whatever the number of stars.
 */
export function labelMatcher(pattern: string): Matcher {
  if (!pattern.includes('*')) return (title) => title === pattern;
  const pieces = pattern.split('*');
  const first = pieces[0]!;
  const last = pieces.at(-1)!;
  const middle = pieces.slice(1, -1).filter((piece) => piece !== '');
  return (value) => {
    const title = capText(value);
    if (title.length < first.length + last.length || !title.startsWith(first) || !title.endsWith(last)) return false;
    const end = title.length - last.length;
    let at = first.length;
    for (const piece of middle) {
      const found = title.indexOf(piece, at);
      if (found === -1 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
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

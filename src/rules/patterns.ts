// Compiled matchers for label patterns (`scope::*`) and path or branch globs.
import picomatch from 'picomatch/posix.js';

export type Matcher = (value: string) => boolean;

/**
 * A label pattern: exact title, or with `*` standing for any run of characters, so `size::*` matches
 * the whole `size::` scoped family. Label titles may contain `/` and spaces, so globs do not fit them.
 */
export function labelMatcher(pattern: string): Matcher {
  if (!pattern.includes('*')) return (title) => title === pattern;
  const source = pattern.split('*').map(escapeRegExp).join('.*');
  const regex = new RegExp(`^${source}$`, 'su');
  return (title) => regex.test(title);
}

/** Any of several label patterns. */
export function anyLabelMatcher(patterns: readonly string[]): Matcher {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const wild = patterns.filter((p) => p.includes('*')).map(labelMatcher);
  if (wild.length === 0) return (title) => exact.has(title);
  return (title) => exact.has(title) || wild.some((match) => match(title));
}

/** Any of several globs over `/`-separated paths or branch names (`docs/**`, `release/*`); dotfiles match too. */
export function globMatcher(globs: readonly string[]): Matcher {
  return picomatch(globs as string[], { dot: true });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

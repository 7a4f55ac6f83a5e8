import { describe, expect, it } from 'vitest';
import { anyLabelMatcher, globMatcher, labelMatcher } from './patterns.js';

describe('labelMatcher', () => {
  it('matches whole titles, with * standing for any run of characters', () => {
    const labels = ['size::small', 'size::', 'sizes::x', 'workflow::in review', 'bug', 'Bug', 'a/b c.d', 'x::y::urgent'];
    expect(labels.filter(labelMatcher('size::*'))).toEqual(['size::small', 'size::']);
    expect(labels.filter(labelMatcher('*::urgent'))).toEqual(['x::y::urgent']);
    expect(labels.filter(labelMatcher('*i*e*'))).toEqual(['size::small', 'size::', 'sizes::x', 'workflow::in review']);
    expect(labels.filter(labelMatcher('bug'))).toEqual(['bug']);
    expect(labels.filter(labelMatcher('a/b*.d'))).toEqual(['a/b c.d']);
    expect(labels.filter(labelMatcher('*'))).toEqual(labels);
    // Pieces never overlap: "ab*ba" needs "ab" and "ba" apart.
    expect(['aba', 'abba', 'ab\nba'].filter(labelMatcher('ab*ba'))).toEqual(['abba', 'ab\nba']);
  });

  it('runs patterns with many stars in time linear in the text, where a regular expression backtracked', () => {
    // The regular expression these patterns used to become took 48 s on 64 characters here.
    const match = labelMatcher('*a*a*a*a*a*a*a*a*b');
    expect(match('a'.repeat(100_000))).toBe(false);
    expect(match(`${'a'.repeat(60_000)}b`)).toBe(true);
    // Past the first 65,536 characters nothing is looked at, as for titles.
    expect(match(`${'a'.repeat(100_000)}b`)).toBe(false);
    expect(anyLabelMatcher(['bug', '*a*a*a*a*a*a*a*a*b'])('a'.repeat(100_000))).toBe(false);
  });
});

describe('globMatcher', () => {
  it('matches when any glob of the list does, negated ones included', () => {
    const match = globMatcher(['docs/**', '!**/*.ts']);
    expect(['docs/a.ts', 'README.md', 'src/a.ts'].filter(match)).toEqual(['docs/a.ts', 'README.md']);
  });
});

import { describe, expect, it } from 'vitest';
import { capText, compileRegex, MAX_MATCHED_LENGTH } from './regex.js';

function tester(source: string, ignoreCase = false) {
  const compiled = compileRegex(source, { ignoreCase });
  if ('error' in compiled) throw new Error(compiled.error);
  return compiled.test;
}

describe('compileRegex', () => {
  it('runs the pattern that stalled the event loop on a 100,000-character title, both outcomes', () => {
    const test = tester('^(\\w+\\s?)*:');
    expect(test(`${'a'.repeat(100_000)}!`)).toBe(false);
    expect(test(`${'word '.repeat(10_000)}:`)).toBe(true);
  });

  it('keeps RegExp semantics: unanchored, case-sensitive unless asked, Unicode code points', () => {
    expect(tester('fix')('a fix here')).toBe(true);
    expect(tester('^fix$')('a fix here')).toBe(false);
    expect(tester('^(WIP|Draft)\\b')('draft: x')).toBe(false);
    expect(tester('^(WIP|Draft)\\b', true)('draft: x')).toBe(true);
    expect(tester('^É', true)('école')).toBe(true);
    expect(tester('^.$')('😀')).toBe(true);
    expect(tester('^\\p{L}+$')('Größe')).toBe(true);
    expect(tester('^\\w+$')('Größe')).toBe(false);
    expect(tester('(?<scope>\\w+): ')('api: x')).toBe(true);
  });

  it('refuses what RE2 cannot run, naming the construct, its offset and what to write instead', () => {
    const error = (source: string) => {
      const compiled = compileRegex(source);
      return 'error' in compiled ? compiled.error : 'compiled';
    };
    expect(error('\\\\1')).toBe('compiled');
    expect(error('\\Q(?=\\E')).toBe('compiled');
    expect(error('[(?=]x(?!y)')).toContain('got a negative lookahead "(?!" at offset 6 (RE2 has no lookahead;');
    expect(error('x\\u00e9')).toBe(
      'invalid regular expression "x\\u00e9": expected RE2 syntax, got a \\u escape "\\u00e9" at offset 1 (write the code point as \\x{…}, e.g. \\x{E9} or \\x{1F600})',
    );
    expect(error('(?P<a>x)(?P<a>y)')).toContain('got a second group named "a" at offset 8 (each group name may be used once)');
    expect(error('a{2}b{1001}')).toBe('invalid regular expression "a{2}b{1001}": expected RE2 syntax, got "{1001}" at offset 5: invalid repeat count');
    expect(error('(ab')).toBe('invalid regular expression "(ab": expected RE2 syntax: missing closing )');
    expect(error('\\pL{300}\\pL{300}')).toBe(
      'invalid regular expression "\\pL{300}\\pL{300}": expected at most 500 RE2 instructions, got 602 ' +
        '(every repetition of a count such as {100} adds to them; use smaller counts)',
    );
  });
});

describe('the length of text matched', () => {
  it('is capped: a match that exists only past the first 65,536 characters is not found', () => {
    expect(MAX_MATCHED_LENGTH).toBe(65_536);
    const test = tester('needle');
    expect(test(`${'x'.repeat(65_530)}needle`)).toBe(true);
    expect(test(`${'x'.repeat(65_531)}needle`)).toBe(false);
    expect(test(`${'x'.repeat(200_000)}needle`)).toBe(false);
  });

  it('never cuts a surrogate pair in two', () => {
    const capped = capText(`${'x'.repeat(65_535)}😀`);
    expect(capped).toBe('x'.repeat(65_535));
    expect(capText('short')).toBe('short');
  });
});

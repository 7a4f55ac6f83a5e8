// Rule authors' regular expressions, run by RE2 (re2js): matching takes time linear in the text, whatever the pattern.
import { RE2JS, RE2JSSyntaxException } from 're2js';
import { findUnsupported, locateFragment } from './regex-syntax.js';

/**
 * Text longer than this many characters (UTF-16 code units, as JavaScript counts them) is matched on its
 * first MAX_MATCHED_LENGTH characters only. GitLab keeps titles under 256 characters but descriptions
 * and comments may reach 1,000,000, and the cost of a match grows with the text.
 */
export const MAX_MATCHED_LENGTH = 65_536;

/**
 * Most RE2 instructions a pattern may compile to. RE2 takes time linear in the text, but proportional to the
 * size of the pattern too: a pattern built to defeat re2js's automaton cache falls back to simulating every
 * instruction on every character, 1.5–2 ms per instruction over 64 KB of text on the benchmark machine
 * (docs/benchmarks.md). 500 keeps one condition near a second at worst; real patterns stay far below:
 * `^(feat|fix|docs|chore)(\(.+\))?: ` is 32.
 */
export const MAX_PROGRAM_SIZE = 500;

export type TextTest = (text: string) => boolean;

/** The first MAX_MATCHED_LENGTH characters of `text`, never cutting a surrogate pair in two. */
export function capText(text: string): string {
  if (text.length <= MAX_MATCHED_LENGTH) return text;
  const last = text.charCodeAt(MAX_MATCHED_LENGTH - 1);
  const splitsPair = last >= 0xd800 && last <= 0xdbff;
  return text.slice(0, splitsPair ? MAX_MATCHED_LENGTH - 1 : MAX_MATCHED_LENGTH);
}

/**
 * Compiles a rule's `matches` pattern, or says in words why RE2 cannot run it. The test is unanchored, like
 * RegExp's `test`, and sees at most the first MAX_MATCHED_LENGTH characters of the text.
 *
 * @example compileRegex('^(WIP|Draft)\\b', { ignoreCase: true })
 */
export function compileRegex(source: string, options: { ignoreCase?: boolean | undefined } = {}): { test: TextTest } | { error: string } {
  const compiled = compileRe2(source, options.ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  if ('regex' in compiled) {
    const regex = compiled.regex;
    return { test: (text) => regex.test(capText(text)) };
  }
  const why = 'syntax' in compiled ? describeSyntaxError(source, compiled.syntax) : compiled.tooLarge;
  return { error: `invalid regular expression ${quote(source)}: ${why}` };
}

/** RE2 syntax compiled with `flags`; RE2's own refusal, or the reason it is too large, otherwise. */
export function compileRe2(source: string, flags: number): { regex: RE2JS } | { syntax: RE2JSSyntaxException } | { tooLarge: string } {
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(source, flags);
  } catch (error) {
    if (!(error instanceof RE2JSSyntaxException)) throw error;
    return { syntax: error };
  }
  const size = regex.programSize();
  if (size <= MAX_PROGRAM_SIZE) return { regex };
  return {
    tooLarge:
      `expected at most ${MAX_PROGRAM_SIZE.toLocaleString('en-US')} RE2 instructions, got ${size.toLocaleString('en-US')} ` +
      '(every repetition of a count such as {100} adds to them; use smaller counts)',
  };
}

function describeSyntaxError(source: string, error: RE2JSSyntaxException): string {
  const construct = findUnsupported(source);
  if (construct) {
    return `expected RE2 syntax, got ${construct.what} "${construct.text}" at offset ${construct.at} (${construct.hint})`;
  }
  const fragment = error.getPattern();
  const at = locateFragment(source, fragment);
  if (at === undefined) return `expected RE2 syntax: ${error.getDescription()}`;
  return `expected RE2 syntax, got "${fragment}" at offset ${at}: ${error.getDescription()}`;
}

/** The pattern in quotes, shortened when long: it is repeated in every message about it. */
function quote(source: string): string {
  return `"${source.length > 120 ? `${source.slice(0, 117)}...` : source}"`;
}

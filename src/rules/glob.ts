// Globs over `/`-separated paths and branch names, matched in time linear in the text: segment by segment, or by RE2.
import { RE2JS } from 're2js';
import { simpleGlobTest } from './glob-simple.js';
import { capText, compileRe2 } from './regex.js';

/** Most globs one glob's braces may expand to: `{a,b}/{c,d}` is 4. */
export const MAX_BRACE_EXPANSIONS = 256;

type Test = (text: string) => boolean;

/**
 * Compiles one glob: `*` any run of characters within a segment (at least one when it is the whole
 * segment), `**` as a whole segment any number of segments, `?` one character but `/`, `[...]` and
 * `[!...]` classes, `{a,b}` alternatives and `{1..3}` ranges, `\` to take the next character as it is,
 * and a leading `!` to negate. Dotfiles match like any other file. The text's first MAX_MATCHED_LENGTH
 * characters are matched. Most globs are matched segment by segment (see simpleGlobTest); the others are
 * translated to RE2.
 *
 * @example compileGlob('docs/**')  // docs, docs/a.md, docs/a/b.md
 */
export function compileGlob(glob: string): { test: Test } | { error: string } {
  const { negated, body } = splitNegation(glob);
  const extglob = /(?<!\\)[@!+*?]\(/.exec(body);
  if (extglob) {
    const at = glob.length - body.length + extglob.index;
    return { error: `invalid glob "${glob}": expected *, **, ?, [...] or {a,b}, got the extglob "${extglob[0]}" at offset ${at} (write alternatives as {a,b})` };
  }
  const expanded = expandBraces(body.replace(/^(?:\.\/)+/, ''));
  if (expanded === undefined) {
    return { error: `invalid glob "${glob}": expected braces that expand to at most ${MAX_BRACE_EXPANSIONS} globs, got more` };
  }
  const tests: Test[] = [];
  const complex: string[] = [];
  for (const one of expanded) {
    const simple = simpleGlobTest(one);
    if (simple) tests.push(simple);
    else complex.push(one);
  }
  if (complex.length > 0) {
    // DOTALL: `.` in the translation stands for any character, line breaks included.
    const compiled = compileRe2(`^(?:${complex.map(translateGlob).join('|')})$`, RE2JS.DOTALL);
    if (!('regex' in compiled)) {
      // Offsets RE2 could give are in the translation, not in the glob: RE2's words and fragment say enough.
      const why = 'syntax' in compiled ? `${compiled.syntax.getDescription()} "${compiled.syntax.getPattern() ?? ''}"` : compiled.tooLarge;
      return { error: `invalid glob "${glob}": ${why}` };
    }
    const regex = compiled.regex;
    tests.push((text) => regex.test(text));
  }
  const any: Test = tests.length === 1 ? tests[0]! : (text) => tests.some((test) => test(text));
  return { test: negated ? (text) => !any(capText(text)) : (text) => any(capText(text)) };
}

/** A leading `!` negates (`!!` does not); `!(` starts an extglob instead. */
function splitNegation(glob: string): { negated: boolean; body: string } {
  let count = 0;
  while (glob[count] === '!' && glob[count + 1] !== '(') count++;
  return { negated: count % 2 === 1, body: glob.slice(count) };
}

/** Every glob `{…}` stands for, or undefined past MAX_BRACE_EXPANSIONS. Braces without a comma or range are literal. */
function expandBraces(glob: string): string[] | undefined {
  const done: string[] = [];
  const pending = [glob];
  while (pending.length > 0) {
    const next = pending.pop()!;
    const brace = firstBrace(next);
    if (!brace) {
      done.push(next);
    } else {
      for (const option of brace.options.reverse()) pending.push(next.slice(0, brace.start) + option + next.slice(brace.end + 1));
    }
    if (done.length + pending.length > MAX_BRACE_EXPANSIONS) return undefined;
  }
  return done;
}

/** The first `{…}` with alternatives or a range, outside classes and escapes, and what it expands to. */
function firstBrace(glob: string): { start: number; end: number; options: string[] } | undefined {
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === '\\') i++;
    else if (glob[i] === '[') i = classEnd(glob, i) ?? i;
    else if (glob[i] === '{') {
      const brace = braceAt(glob, i);
      if (brace) return brace;
    }
  }
  return undefined;
}

function braceAt(glob: string, start: number): { start: number; end: number; options: string[] } | undefined {
  let depth = 0;
  const commas: number[] = [];
  for (let i = start; i < glob.length; i++) {
    const char = glob[i];
    if (char === '\\') i++;
    else if (char === '{') depth++;
    else if (char === ',' && depth === 1) commas.push(i);
    else if (char === '}' && --depth === 0) {
      const inner = glob.slice(start + 1, i);
      if (commas.length > 0) {
        const bounds = [start, ...commas, i];
        return { start, end: i, options: bounds.slice(1).map((at, k) => glob.slice(bounds[k]! + 1, at)) };
      }
      const range = expandRange(inner);
      return range && { start, end: i, options: range };
    }
  }
  return undefined;
}

/** `1..3` → 1, 2, 3; `a..c` → a, b, c (either way round). */
function expandRange(inner: string): string[] | undefined {
  const numbers = /^(-?\d+)\.\.(-?\d+)$/.exec(inner);
  const letters = /^([a-zA-Z])\.\.([a-zA-Z])$/.exec(inner);
  const [from, to] = numbers ? [Number(numbers[1]), Number(numbers[2])] : letters ? [letters[1]!.charCodeAt(0), letters[2]!.charCodeAt(0)] : [];
  if (from === undefined || to === undefined || Math.abs(to - from) >= MAX_BRACE_EXPANSIONS) return undefined;
  const step = from <= to ? 1 : -1;
  const values: string[] = [];
  for (let value = from; value !== to + step; value += step) values.push(numbers ? String(value) : String.fromCharCode(value));
  return values;
}

const GLOBSTAR = Symbol('**');

/** RE2 syntax for one glob without braces, to be anchored by the caller and compiled with DOTALL. */
export function translateGlob(glob: string): string {
  const segments: (string | typeof GLOBSTAR)[] = [];
  for (const segment of splitSegments(glob)) {
    if (/^\*{2,}$/.test(segment)) {
      if (segments.at(-1) !== GLOBSTAR) segments.push(GLOBSTAR);
    } else {
      // A segment of stars alone must not be empty: `release/*` does not match `release/`.
      segments.push(/^\*$/.test(segment) ? '[^/]+' : translateSegment(segment));
    }
  }
  if (segments.length === 1 && segments[0] === GLOBSTAR) return '.+';
  let out = '';
  segments.forEach((segment, i) => {
    if (segment === GLOBSTAR) {
      // `**/x`: x at any depth; `x/**`: x itself or anything under it; `x/**/y`: y directly under x or deeper.
      out += i === 0 ? '(?:.*/)?' : i === segments.length - 1 ? '(?:/.*)?' : '/(?:.*/)?';
    } else {
      if (i > 0 && segments[i - 1] !== GLOBSTAR) out += '/';
      out += segment;
    }
  });
  return out;
}

/** Splits on `/` outside classes and escapes. */
function splitSegments(glob: string): string[] {
  const segments: string[] = [];
  let start = 0;
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === '\\') i++;
    else if (glob[i] === '[') i = classEnd(glob, i) ?? i;
    else if (glob[i] === '/') {
      segments.push(glob.slice(start, i));
      start = i + 1;
    }
  }
  segments.push(glob.slice(start));
  return segments;
}

function translateSegment(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i]!;
    if (char === '\\') {
      i++;
      out += i < segment.length ? quoteChar(segment[i]!) : '\\\\';
    } else if (char === '*') {
      out += '[^/]*';
    } else if (char === '?') {
      out += '[^/]';
    } else if (char === '[' && classEnd(segment, i) !== undefined) {
      const end = classEnd(segment, i)!;
      out += translateClass(segment.slice(i + 1, end));
      i = end;
    } else {
      out += quoteChar(char);
    }
  }
  return out;
}

/** `[!a-z]` (or `[^a-z]`) without its brackets, as an RE2 class; negated classes never match `/`. */
function translateClass(inner: string): string {
  const negated = inner[0] === '!' || inner[0] === '^';
  let out = '';
  for (let i = negated ? 1 : 0; i < inner.length; i++) {
    const posix = /^\[:[a-z]+:\]/.exec(inner.slice(i, i + 12));
    if (posix) {
      out += posix[0];
      i += posix[0].length - 1;
    } else if (inner[i] === '\\' && i + 1 < inner.length) {
      out += quoteChar(inner[++i]!);
    } else {
      out += inner[i] === '-' ? '-' : quoteChar(inner[i]!);
    }
  }
  return negated ? `[^${out}/]` : `[${out}]`;
}

/** Index of the `]` closing the class opened at `start`; a `]` right after `[`, `[!` or `[^` is a member. */
function classEnd(glob: string, start: number): number | undefined {
  let i = start + 1;
  if (glob[i] === '!' || glob[i] === '^') i++;
  if (glob[i] === ']') i++;
  for (; i < glob.length; i++) {
    if (glob[i] === '\\') i++;
    else if (glob.startsWith('[:', i)) {
      const end = glob.indexOf(':]', i + 2);
      if (end !== -1) i = end + 1;
    } else if (glob[i] === ']') return i;
  }
  return undefined;
}

/** One literal character in RE2 syntax. */
function quoteChar(char: string): string {
  return /[\\^$.|?*+()[\]{}-]/.test(char) ? `\\${char}` : char;
}

// Finds, in a pattern RE2 refused, the JavaScript-only construct to blame and where it is, read the way RE2 reads patterns.

/** Something JavaScript's RegExp (or, for atomic groups, PCRE) accepts and RE2 does not, with a way around it. */
export interface UnsupportedConstruct {
  /** What it is, in words: `a lookahead`. */
  what: string;
  /** The construct as written: `(?=`, `\1`. */
  text: string;
  /** Offset of its first character in the pattern, counting from 0 in UTF-16 code units as JavaScript does. */
  at: number;
  hint: string;
}

const TWO_CONDITIONS = 'match the text with two conditions instead';

/** Group openings RE2 has no equivalent for. */
const GROUPS: readonly { open: string; what: string; hint: string }[] = [
  { open: '(?=', what: 'a lookahead', hint: `RE2 has no lookahead; ${TWO_CONDITIONS}` },
  { open: '(?!', what: 'a negative lookahead', hint: `RE2 has no lookahead; ${TWO_CONDITIONS}` },
  { open: '(?<=', what: 'a lookbehind', hint: `RE2 has no lookbehind; ${TWO_CONDITIONS}` },
  { open: '(?<!', what: 'a negative lookbehind', hint: `RE2 has no lookbehind; ${TWO_CONDITIONS}` },
  { open: '(?>', what: 'an atomic group', hint: 'RE2 never backtracks, so a plain group (?:…) does the same' },
];

const BACKREFERENCE = 'backreferences are not supported: RE2 cannot match text against what a group captured';

/** The first construct of `source` that other engines accept and RE2 refuses, if any. */
export function findUnsupported(source: string): UnsupportedConstruct | undefined {
  const names = new Set<string>();
  for (const { at, length, escape, inClass } of tokens(source)) {
    if (escape) {
      const found = unsupportedEscape(source.slice(at, at + length), at, inClass);
      if (found) return found;
      continue;
    }
    if (inClass || source[at] !== '(') continue;
    const group = GROUPS.find(({ open }) => source.startsWith(open, at));
    if (group) return { what: group.what, text: group.open, at, hint: group.hint };
    const name = groupName(source, at);
    if (name === undefined) continue;
    if (names.has(name)) return { what: 'a second group named', text: name, at, hint: 'each group name may be used once' };
    names.add(name);
  }
  return undefined;
}

function unsupportedEscape(escape: string, at: number, inClass: boolean): UnsupportedConstruct | undefined {
  // Inside a class JavaScript reads `\1` as an error too, not as a backreference.
  if (!inClass && /^\\[1-9]/.test(escape)) return { what: 'a backreference', text: escape, at, hint: BACKREFERENCE };
  if (!inClass && escape.startsWith('\\k<')) return { what: 'a named backreference', text: escape, at, hint: BACKREFERENCE };
  if (/^\\[pP]\{\w+=/.test(escape)) {
    return { what: 'a Unicode property with a value', text: escape, at, hint: 'RE2 takes script names alone, e.g. \\p{Greek}' };
  }
  if (escape.startsWith('\\u')) {
    return { what: 'a \\u escape', text: escape, at, hint: 'write the code point as \\x{…}, e.g. \\x{E9} or \\x{1F600}' };
  }
  return undefined;
}

/**
 * Where RE2's description of a problem (the fragment it quotes, e.g. `{1001}`) starts: its first occurrence
 * at the start of a token, so that the `\1` in `\\1` is not taken for the escape `\1`. Undefined when the
 * fragment is the whole pattern (RE2 quotes the whole pattern for an unbalanced parenthesis) or not found.
 */
export function locateFragment(source: string, fragment: string | null): number | undefined {
  if (!fragment || fragment === source) return undefined;
  for (const token of tokens(source)) {
    if (source.startsWith(fragment, token.at)) return token.at;
  }
  return undefined;
}

interface Token {
  at: number;
  length: number;
  escape: boolean;
  inClass: boolean;
}

/** Tokens the way RE2's parser reads them: escapes, `\Q…\E` quoting, and character classes (where `]` first is literal). */
function* tokens(source: string): Generator<Token> {
  let i = 0;
  let classStart: number | undefined;
  while (i < source.length) {
    const inClass = classStart !== undefined;
    if (!inClass && source.startsWith('\\Q', i)) {
      // Everything up to \E (or the end) is literal text.
      const end = source.indexOf('\\E', i + 2);
      i = end === -1 ? source.length : end + 2;
      continue;
    }
    if (source[i] === '\\') {
      const length = escapeLength(source, i);
      yield { at: i, length, escape: true, inClass };
      i += length;
      continue;
    }
    yield { at: i, length: 1, escape: false, inClass };
    if (!inClass && source[i] === '[') {
      classStart = i + (source[i + 1] === '^' ? 2 : 1);
      i = classStart;
      // A `]` right after `[` or `[^` is a literal `]`.
      if (source[i] === ']') i++;
      continue;
    }
    if (inClass && source.startsWith('[:', i)) {
      const end = source.indexOf(':]', i + 2);
      if (end !== -1) {
        i = end + 2;
        continue;
      }
    }
    if (inClass && source[i] === ']') classStart = undefined;
    i++;
  }
}

/** The name of the named group opening at `at` (`(?P<name>` or `(?<name>`), if one does. */
function groupName(source: string, at: number): string | undefined {
  const pattern = /\(\?P?<(\w*)>/y;
  pattern.lastIndex = at;
  return pattern.exec(source)?.[1];
}

/** Length of the escape at `i`: `\k<name>`, `\x{…}`, `\p{…}`, `\u{…}`, `\uXXXX`, a run of digits, or one character. */
function escapeLength(source: string, i: number): number {
  const rest = source.slice(i, i + 64);
  const match = /^\\(?:k<[^>]*>|[xpPu]\{[^}]*\}|u[0-9A-Fa-f]{4}|[1-9][0-9]*|[\s\S]?)/.exec(rest);
  return match?.[0].length ?? 1;
}

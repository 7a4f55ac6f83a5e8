// Where an HTML tag or element ends: as CommonMark reads a tag in text, and as a browser reads HTML.
import type { BoundedSearch } from './text-search.js';

/** A tag's name after its `<` (or `</`). */
export const TAG_NAME = /\/?([A-Za-z][A-Za-z0-9-]*)/y;
/** Elements whose content no reader sees: GitLab's sanitiser drops a script with its content, and a style sheet is never text. */
export const HIDDEN_CONTENT = new Set(['script', 'style']);
/** HTML blocks that go on over blank lines until their end tag (CommonMark's first kind). */
const UNTIL_END_TAG = /^<(pre|textarea|script|style)(?=[\s>]|$)/i;
const ATTRIBUTE_NAME = /[A-Za-z_:][\w.:-]*/y;
const UNQUOTED_VALUE = /[^ \t\n"'=<>`]+/y;

/**
 * The end (after its `>`) of the tag starting at `p` as CommonMark reads one in text: a name, attributes
 * separated by white space (values may span lines), `>` or `/>`, all before `limit`; undefined when it
 * is no tag, and so text (spec.commonmark.org, §6.6).
 */
export function strictTagEnd(search: BoundedSearch, p: number, limit: number): number | undefined {
  const text = search.text;
  const spaceEnd = (from: number) => {
    let k = from;
    while (k < limit && (text[k] === ' ' || text[k] === '\t' || text[k] === '\n')) k++;
    search.spend(k - from + 1);
    return k;
  };
  TAG_NAME.lastIndex = p + 1;
  if (!TAG_NAME.test(text)) return undefined;
  let k = TAG_NAME.lastIndex;
  if (text[p + 1] === '/') {
    k = spaceEnd(k);
    return k < limit && text[k] === '>' ? k + 1 : undefined;
  }
  for (;;) {
    const next = spaceEnd(k);
    if (next >= limit) return undefined;
    if (text[next] === '>') return next + 1;
    if (text.startsWith('/>', next)) return next + 2;
    ATTRIBUTE_NAME.lastIndex = next;
    if (next === k || !ATTRIBUTE_NAME.test(text)) return undefined;
    k = ATTRIBUTE_NAME.lastIndex;
    const equals = spaceEnd(k);
    if (text[equals] !== '=') continue;
    const value = spaceEnd(equals + 1);
    const quote = text[value];
    if (quote === '"' || quote === "'") {
      const close = search.find(quote, value + 1, limit);
      if (close === undefined) return undefined;
      k = close + 1;
    } else {
      UNQUOTED_VALUE.lastIndex = value;
      if (!UNQUOTED_VALUE.test(text)) return undefined;
      k = UNQUOTED_VALUE.lastIndex;
    }
  }
}

/** The end of the tag starting at `p` as a browser reads one (any attributes; a quoted value may hold `>`), within `limit`. */
export function looseTagEnd(search: BoundedSearch, p: number, limit: number): number | undefined {
  const text = search.text;
  let afterEquals = false;
  for (let k = p + 1; k < limit; k++) {
    const ch = text[k]!;
    if (ch === '>') {
      search.spend(k - p);
      return k + 1;
    }
    if (afterEquals && (ch === '"' || ch === "'")) {
      const close = search.find(ch, k + 1, limit);
      if (close === undefined) return undefined;
      k = close;
      afterEquals = false;
    } else if (ch === '=') afterEquals = true;
    else if (ch !== ' ' && ch !== '\t' && ch !== '\n') afterEquals = false;
  }
  search.spend(limit - p);
  return undefined;
}

/** The end of the `<script>` or `<style>` element starting at `p`, end tag included, within `limit`; undefined if not there. */
export function elementEnd(search: BoundedSearch, name: string, p: number, limit: number): number | undefined {
  const text = search.text;
  const open = looseTagEnd(search, p, limit);
  if (open === undefined) return undefined;
  const endTag = new RegExp(`</${name}(?=[\\s/>])`, 'gi');
  endTag.lastIndex = open;
  const match = endTag.exec(text);
  search.spend((match?.index ?? text.length) - open);
  if (!match || match.index >= limit) return undefined;
  // In a script, `<!--` changes where a browser finds its end: not worth following.
  if (name === 'script' && text.slice(open, match.index).includes('<!--')) return undefined;
  const close = search.find('>', match.index, limit);
  return close === undefined ? undefined : close + 1;
}

/**
 * What ends the HTML block that a line's `content` opens, when a blank line does not: the end tag of
 * `<pre>`, `<textarea>`, `<script>`, `<style>`; `?>` after `<?`; `]]>` after `<![CDATA[`.
 */
export function blockEnd(content: string): RegExp | undefined {
  const name = UNTIL_END_TAG.exec(content)?.[1];
  if (name !== undefined) return new RegExp(`</${name}>`, 'i');
  if (content.startsWith('<?')) return /\?>/;
  if (content.startsWith('<![CDATA[')) return /]]>/;
  return undefined;
}

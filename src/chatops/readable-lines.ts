// Which lines of a note a reader sees as text: code and quote blocks, and the HTML GitLab does not show, are left out.
import { blockEnd, elementEnd, HIDDEN_CONTENT, looseTagEnd, strictTagEnd, TAG_NAME } from './html-tags.js';
import { LineIndex } from './line-index.js';
import { BoundedSearch } from './text-search.js';

export interface ReadableLine {
  /** The line as written. */
  source: string;
  /** The line without what GitLab does not show of it: comments, tags, the content of script and style elements. */
  visible: string;
}

/**
 * Where a piece of HTML starts, which decides how far it reaches (CommonMark, spec.commonmark.org, §4.6 and §6.6):
 * - `top`: at the start of a line of its own (at most one space before it, outside quotes, lists and other
 *   HTML), where `<!--`, `<?`, `<!X`, `<script`, `<style` begin an HTML block that lasts to their end marker;
 * - `text`: in ordinary text, where CommonMark reads raw HTML only when it is complete within the paragraph,
 *   and shows it as text otherwise;
 * - `html`: inside an HTML block, a quote or a list item, where it is raw: whatever it leaves open swallows
 *   what follows, until the browser reads its end in GitLab's rendered page, which no line of Markdown can
 *   be sure of; only what ends on the same line is known to end.
 */
type Place = 'top' | 'text' | 'html';

const FENCE = /^ {0,3}(`{3,}|~{3,}|>>>)/;
const BLANK = /^[ \t]*$/;
/** Quote markers, list markers and indentation in front of a line's content. */
const CONTAINERS = /^(?:[ \t]*(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*/;
const AUTOLINK = /<(?:[A-Za-z][A-Za-z0-9.+-]{1,31}:[^\s<>]*|[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>/y;
const ESCAPABLE = /[!-/:-@[-`{-~]/;

/**
 * The lines of a note's Markdown that a reader sees as text, with what each shows. Left out: lines in fenced
 * code blocks (``` or ~~~) and GitLab's `>>>` block quotes, and lines that begin inside an HTML comment
 * (`<!-- … -->`, also one opened mid-line), inside a tag (a multi-line attribute value), or inside a
 * `<script>` or `<style>` element. What GitLab renders, such as the content of `<details>`, stays.
 * When it cannot be told where hidden HTML ends, the rest of the note counts as hidden: a hidden line must
 * never be read. The same holds past markup that would take unreasonably long to read (see BoundedSearch).
 */
export function readableLines(body: string): ReadableLine[] {
  return new NoteReader(body.replace(/\r\n/g, '\n')).read();
}

class NoteReader {
  private readonly index: LineIndex;
  private readonly search: BoundedSearch;
  /** Per line: where its paragraph ends at the latest (the start of the next blank or fence line). */
  private readonly paragraphEnds: number[];
  /** Hidden ranges `[from, to)` of the text, by their start. */
  private readonly hidden: [number, number][] = [];
  /** Lines that never command: those of code and quote blocks, with their fences. */
  private readonly skipped = new Set<number>();
  private fence: { marker: string; code: boolean } | undefined;
  /** The HTML block lines are in: open until a blank line, or `until` its end marker. */
  private html = { open: false, until: undefined as RegExp | undefined };
  /** The line an HTML block known to end early (a comment's) ends with. */
  private htmlEndsWith: number | undefined;
  /** A backtick run earlier in this paragraph had no match on its line: a later one may close it. */
  private ticksOpen = false;

  constructor(private readonly text: string) {
    this.index = new LineIndex(text);
    this.search = new BoundedSearch(text);
    this.paragraphEnds = this.index.nextStarts((line) => BLANK.test(line) || FENCE.test(line));
  }

  read(): ReadableLine[] {
    const lines = this.index.lines;
    let resume: number | undefined;
    for (let i = 0; i < lines.length; ) {
      const next = resume === undefined ? this.readLine(i) : this.scan(i, resume, 'html');
      if (next === undefined) {
        resume = undefined;
        i++;
        continue;
      }
      // An HTML block reaches into a later line: step over the lines it holds, still following HTML blocks,
      // and read on in the rest of the line it ends on, which is part of it.
      const j = this.index.lineOf(next);
      for (let k = i + 1; k <= j && k < lines.length; k++) this.enterLine(k);
      resume = next;
      i = j;
    }
    return this.index.without(this.hidden, this.skipped);
  }

  /** Reads line `i` from its start: fences first, then the hidden HTML in it. */
  private readLine(i: number): number | undefined {
    const line = this.index.lines[i]!;
    if (this.fence?.code) {
      this.skipped.add(i);
      if (closesFence(line, this.fence.marker)) this.fence = undefined;
      return undefined;
    }
    const inHtml = this.enterLine(i);
    const content = line.replace(CONTAINERS, '');
    const place: Place = inHtml || content.startsWith('<') ? 'html' : 'text';
    const marker = FENCE.exec(line)?.[1];
    if (this.fence || marker !== undefined) {
      // Quote blocks, and fences inside HTML (which are raw text there), never command; what they hold
      // still counts for hidden HTML (a `>>>` quote's lines are Markdown in a quote). A code fence's own
      // line is literal.
      this.skipped.add(i);
      const inQuote = this.fence?.marker === '>>>' && marker === undefined;
      if (!this.fence) this.fence = { marker: marker!, code: marker !== '>>>' && !inHtml };
      else if (marker !== undefined && closesFence(line, this.fence.marker)) this.fence = undefined;
      return this.fence?.code ? undefined : this.scan(i, this.index.starts[i]!, inQuote ? place : 'html');
    }
    return this.scan(i, this.index.starts[i]!, place === 'html' && !inHtml && /^ ?</.test(line) ? 'top' : place);
  }

  /** Follows HTML blocks and paragraphs over line `i`; true when the line is inside an HTML block begun earlier. */
  private enterLine(i: number): boolean {
    const line = this.index.lines[i]!;
    if (this.htmlEndsWith !== undefined && i > this.htmlEndsWith) {
      this.html = { open: false, until: undefined };
      this.htmlEndsWith = undefined;
    }
    const before = this.html.open;
    if (BLANK.test(line)) this.ticksOpen = false;
    if (this.html.until) {
      if (this.html.until.test(line)) this.html = { open: false, until: undefined };
      return true;
    }
    if (BLANK.test(line)) {
      this.html.open = false;
      return false;
    }
    const content = line.replace(CONTAINERS, '');
    if (!before && content.startsWith('<')) {
      const until = blockEnd(content);
      this.html = until?.test(content) ? { open: false, until: undefined } : { open: true, until };
    }
    return before;
  }

  /**
   * Marks the hidden HTML of line `i` from offset `from`. Returns where reading goes on when an HTML block
   * reaches past the line (the text's length when it reaches the end), else undefined.
   */
  private scan(i: number, from: number, start: Place): number | undefined {
    const text = this.text;
    const end = this.index.end(i);
    let place = start;
    for (let p = from; p < end; ) {
      const literal = place === 'text' ? this.literalEnd(p, end) : undefined;
      if (literal !== undefined) {
        p = literal;
        continue;
      }
      if (text[p] !== '<') {
        p++;
        continue;
      }
      const markup = this.search.exhausted ? { to: text.length, certain: true } : this.markupEnd(p, i, place);
      // What follows a block's opening on its line is part of that HTML block; a line that opens none is text.
      const after: Place = place === 'top' ? (markup === undefined ? 'text' : 'html') : place;
      if (markup !== undefined) this.hidden.push([p, markup.to]);
      if (markup?.certain || markup?.to === text.length) {
        // A comment opening a line is an HTML block that ends with the line holding its `-->`.
        if (text.startsWith('<!--', p)) this.htmlEndsWith = this.index.lineOf(markup.to);
        if (markup.to > end) return markup.to;
        p = markup.to;
      } else {
        // Hidden, if it is what it seems. If it is text after all, what it holds is read as Markdown and may
        // open hidden HTML of its own: read on inside it (hidden ranges only ever add up).
        p++;
      }
      place = after;
    }
    return undefined;
  }

  /**
   * Where the HTML starting at `p` (a `<`) ends (the text's length when that cannot be known), and whether
   * it is certainly hidden HTML: a comment, script or style element, `<?…>` or `<!X…>` opening a line is a
   * block of its own, whose content nothing else can reinterpret. Undefined when the `<` is text.
   */
  private markupEnd(p: number, i: number, place: Place): { to: number; certain: boolean } | undefined {
    const text = this.text;
    const lineEnd = this.index.end(i);
    const limit = place === 'top' ? text.length : place === 'html' ? lineEnd : this.paragraphEnds[i]!;
    const certain = place === 'top';
    // A comment ends at `-->`; `<!-->` and `<!--->` end at once. `<!x…>`, `<?…>` end at the first `>`.
    const closer = text.startsWith('<!--', p) ? '-->' : text[p + 1] === '!' || text[p + 1] === '?' ? '>' : undefined;
    if (closer !== undefined) {
      const at = this.search.find(closer, p + 2, limit);
      if (at !== undefined) return { to: at + closer.length, certain };
      return place === 'text' ? undefined : { to: text.length, certain };
    }
    TAG_NAME.lastIndex = p + 1;
    const name = TAG_NAME.exec(text)?.[1]?.toLowerCase();
    if (name === undefined) return undefined;
    const hidesContent = text[p + 1] !== '/' && HIDDEN_CONTENT.has(name);
    if (place === 'text') {
      const tagEnd = strictTagEnd(this.search, p, this.paragraphEnds[i]!);
      // A script or style element opened in text runs on in the page until its end tag, wherever that is.
      if (tagEnd === undefined) return undefined;
      return { to: hidesContent ? text.length : tagEnd, certain: false };
    }
    if (hidesContent) return { to: elementEnd(this.search, name, p, limit) ?? text.length, certain };
    // A tag opening a block ends before the next blank line, and before a fence (the block may have been a
    // paragraph, which a fence ends); `<pre>` and `<textarea>` blocks go on past a blank line.
    const tagLimit = place === 'top' && name !== 'pre' && name !== 'textarea' ? this.paragraphEnds[i]! : lineEnd;
    return { to: looseTagEnd(this.search, p, tagLimit) ?? text.length, certain: false };
  }

  /** In text, where an escaped character, a code span or an autolink starting at `p` ends: all are literal. */
  private literalEnd(p: number, end: number): number | undefined {
    const text = this.text;
    if (text[p] === '\\' && ESCAPABLE.test(text[p + 1] ?? '')) return p + 2;
    if (text[p] === '`') return this.skipCode(p, end);
    if (text[p] !== '<') return undefined;
    AUTOLINK.lastIndex = p;
    return AUTOLINK.test(text) ? AUTOLINK.lastIndex : undefined;
  }

  /** Past the code span whose backtick run starts at `p`, when it closes on this line (see ticksOpen); else past the run. */
  private skipCode(p: number, end: number): number {
    const text = this.text;
    let run = p;
    while (text[run] === '`') run++;
    if (this.ticksOpen) return run;
    for (let k = run; k < end; ) {
      const at = text.indexOf('`', k);
      if (at === -1 || at >= end) break;
      let close = at;
      while (text[close] === '`') close++;
      this.search.spend(close - k);
      if (close - at === run - p) return close;
      k = close;
    }
    this.ticksOpen = true;
    return run;
  }
}

function closesFence(line: string, open: string): boolean {
  const marker = FENCE.exec(line)?.[1];
  return marker !== undefined && marker[0] === open[0] && marker.length >= open.length;
}

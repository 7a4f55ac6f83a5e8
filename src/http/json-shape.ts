// Finds what JSON.parse accepts silently but rulebot refuses: nesting deeper than a limit, and duplicate keys.

/** GitLab events nest a handful of levels; 64 leaves a wide margin and keeps every later walk of the value shallow. */
export const MAX_JSON_DEPTH = 64;

export interface JsonShape {
  /** Character offset of the first `{` or `[` past the depth limit; undefined when the text stays within it. */
  tooDeepAt: number | undefined;
  /** Keys written in the text, repeats included. More than `countKeys` of the parsed value means duplicates. */
  keys: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * One pass over JSON text with a fixed-size stack (no recursion, no allocation per object): stops at once
 * when nesting exceeds `maxDepth`, before JSON.parse would spend seconds on 25 MB of `[`, and counts keys.
 * Strings are skipped with `indexOf`. Meant for text JSON.parse then accepts; on other text the count is
 * meaningless and JSON.parse reports the error.
 */
export function measureJson(text: string, maxDepth = MAX_JSON_DEPTH): JsonShape {
  const inObject = new Uint8Array(maxDepth + 1);
  let depth = 0;
  let keys = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      if (expectKey) keys++;
      expectKey = false;
      i = stringEnd(text, i);
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (depth === maxDepth) return { tooDeepAt: i, keys };
      expectKey = c === OPEN_OBJECT;
      inObject[++depth] = expectKey ? 1 : 0;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth > 0) depth--;
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = inObject[depth] === 1;
    }
  }
  return { tooDeepAt: undefined, keys };
}

/** Own keys of every object in a parsed JSON value (iterative; the value is at most MAX_JSON_DEPTH deep anyway). */
export function countKeys(value: unknown): number {
  let count = 0;
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item === null || typeof item !== 'object') continue;
    const children = Array.isArray(item) ? item : Object.values(item);
    if (!Array.isArray(item)) count += children.length;
    for (const child of children) if (child !== null && typeof child === 'object') pending.push(child);
  }
  return count;
}

/**
 * The first key that appears twice in one object of valid JSON text, compared after unescaping (`"\u0061"`
 * is `"a"`), and the path of that object (`object_attributes.labels[1]`; empty at the top level). Slower than
 * `measureJson` (a Set per object): called only once counting has shown that a duplicate exists.
 */
export function findDuplicateKey(text: string): { key: string; path: string } | undefined {
  const stack: { keys: Set<string> | undefined; key: string; index: number }[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (expectKey) {
        const frame = stack[stack.length - 1]!;
        const key = readKey(text, i, end);
        if (frame.keys!.has(key)) return { key, path: pathOf(stack) };
        frame.keys!.add(key);
        frame.key = key;
      }
      expectKey = false;
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      expectKey = c === OPEN_OBJECT;
      stack.push({ keys: expectKey ? new Set() : undefined, key: '', index: 0 });
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
      expectKey = false;
    } else if (c === COMMA) {
      const frame = stack[stack.length - 1];
      if (frame?.keys) expectKey = true;
      else if (frame) frame.index++;
    }
  }
  return undefined;
}

/** Index of the quote closing the string opened at `start` (or the text's length when it never closes). */
function stringEnd(text: string, start: number): number {
  let quote = start;
  for (;;) {
    quote = text.indexOf('"', quote + 1);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
}

/** The key as JSON.parse sees it. */
function readKey(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end);
  return raw.includes('\\') ? (JSON.parse(text.slice(start, end + 1)) as string) : raw;
}

function pathOf(stack: readonly { keys: Set<string> | undefined; key: string; index: number }[]): string {
  let path = '';
  for (const frame of stack.slice(0, -1)) path += frame.keys ? `${path ? '.' : ''}${frame.key}` : `[${frame.index}]`;
  return path;
}

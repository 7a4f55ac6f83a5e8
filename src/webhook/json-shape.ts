// Finds what JSON.parse accepts silently but rulebot refuses: nesting deeper than a limit, and duplicate keys.

/** GitLab events nest a handful of levels; 64 leaves a wide margin and keeps every later walk of the value shallow. */
export const MAX_JSON_DEPTH = 64;

export type JsonShapeProblem =
  | { kind: 'too_deep'; /** Character offset of the first bracket past the limit. */ offset: number }
  | { kind: 'duplicate_key'; key: string; /** Where the object is, e.g. `object_attributes.labels[0]`; empty at the top level. */ path: string };

interface Frame {
  /** Keys seen so far in an object; undefined for an array. */
  keys: Set<string> | undefined;
  /** The object's latest key, or the array's current index: the next step of a path. */
  key: string | undefined;
  index: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/**
 * One pass over JSON text, with an explicit stack (no recursion, so no input can exhaust the call stack).
 * Stops at once when nesting exceeds `maxDepth`, before JSON.parse would spend time and memory on it.
 * Duplicate keys (anywhere, compared after unescaping) are reported after the whole text was scanned for
 * depth. Meant to run before JSON.parse: on text that is not JSON it may report nothing or something odd,
 * and the caller's JSON.parse then says what is wrong. Strings are skipped with `indexOf`, so the cost is
 * mostly one step per structural character.
 */
export function inspectJsonShape(text: string, maxDepth = MAX_JSON_DEPTH): JsonShapeProblem | undefined {
  const stack: Frame[] = [];
  let duplicate: JsonShapeProblem | undefined;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (expectKey) {
        expectKey = false;
        const frame = stack[stack.length - 1]!;
        const key = readKey(text, i, end);
        if (duplicate === undefined && frame.keys!.has(key)) duplicate = { kind: 'duplicate_key', key, path: pathOf(stack) };
        frame.keys!.add(key);
        frame.key = key;
      }
      i = end;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (stack.length >= maxDepth) return { kind: 'too_deep', offset: i };
      const isObject = c === OPEN_OBJECT;
      stack.push({ keys: isObject ? new Set() : undefined, key: undefined, index: 0 });
      expectKey = isObject;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
      expectKey = false;
    } else if (c === COMMA) {
      const frame = stack[stack.length - 1];
      if (frame?.keys) expectKey = true;
      else if (frame) frame.index++;
    }
  }
  return duplicate;
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

/** The key as JSON.parse would see it: `"\u0061"` and `"a"` are the same key. */
function readKey(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(text.slice(start, end + 1)) as string;
  } catch {
    return raw;
  }
}

function pathOf(stack: readonly Frame[]): string {
  let path = '';
  for (const frame of stack.slice(0, -1)) {
    if (frame.keys) path += `${path ? '.' : ''}${frame.key ?? ''}`;
    else path += `[${frame.index}]`;
  }
  return path;
}

// Turns a webhook body into a JSON object: strict UTF-8, bounded nesting, no duplicate keys.
import { PayloadError } from '../errors.js';
import { countKeys, findDuplicateKey, MAX_JSON_DEPTH, measureJson } from './json-shape.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes a body as strict UTF-8; throws PayloadError `invalid_json` on anything else. */
export function decodeJsonText(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch (cause) {
    throw new PayloadError('invalid_json', 'body is not valid UTF-8 text', { cause });
  }
}

/**
 * Parses a body that must hold one JSON object (a GitLab event), given as bytes or as the text
 * `decodeJsonText` made of them (the handler keeps that text to store, so the body is decoded once).
 * Nesting is measured before JSON.parse runs (a 25 MB body of `[` would otherwise keep the event loop busy
 * for seconds). Duplicate keys are refused because JSON.parse would silently keep the last value: the keys
 * counted in the text are compared with those of the parsed value (about 5 µs for a 5 KB event), and only a
 * difference pays for naming the key.
 */
export function parseJsonObject(body: Uint8Array | string): Record<string, unknown> {
  const text = typeof body === 'string' ? body : decodeJsonText(body);
  const shape = measureJson(text, MAX_JSON_DEPTH);
  if (shape.tooDeepAt !== undefined) {
    throw new PayloadError(
      'nesting_too_deep',
      `JSON nested too deeply: expected at most ${MAX_JSON_DEPTH} levels of objects and arrays, got more at character ${shape.tooDeepAt}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new PayloadError('invalid_json', `body is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  if (countKeys(value) !== shape.keys) throw duplicateKeyError(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new PayloadError('not_an_object', `expected a JSON object (a GitLab event), got ${found}`);
  }
  return value as Record<string, unknown>;
}

function duplicateKeyError(text: string): PayloadError {
  const duplicate = findDuplicateKey(text);
  if (!duplicate) return new PayloadError('duplicate_key', 'an object in the body holds the same key twice: each key may appear once');
  const where = duplicate.path ? `the object at ${shorten(duplicate.path)}` : 'the top-level object';
  return new PayloadError('duplicate_key', `duplicate key ${JSON.stringify(shorten(duplicate.key))} in ${where}: each key may appear once`);
}

/** Keys and paths come from the sender: keep messages and log lines short whatever they hold. */
function shorten(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

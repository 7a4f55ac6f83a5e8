import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/support/events.js';
import { PayloadError } from '../errors.js';
import { countKeys, findDuplicateKey, measureJson } from './json-shape.js';
import { parseJsonObject } from './parse-json.js';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

const ALL_FIXTURES = ['merge_request', 'issue', 'note_merge_request', 'note_issue', 'push', 'pipeline'] as const;

describe('measureJson', () => {
  it("counts every key of GitLab's published payloads, pretty or compact", () => {
    for (const name of ALL_FIXTURES) {
      const value = fixture(name);
      for (const text of [JSON.stringify(value), JSON.stringify(value, null, 2)]) {
        expect(measureJson(text), name).toEqual({ tooDeepAt: undefined, keys: countKeys(value) });
      }
    }
  });

  it('allows exactly maxDepth levels and stops at the first bracket past them', () => {
    expect(measureJson(nested(64)).tooDeepAt).toBeUndefined();
    expect(measureJson(nested(65)).tooDeepAt).toBe(64);
    expect(measureJson('{"a":{"b":[1]}}', 3).tooDeepAt).toBeUndefined();
    expect(measureJson('{"a":{"b":[{}]}}', 3).tooDeepAt).toBe(11);
  });

  it('handles millions of levels without recursion', () => {
    expect(measureJson('['.repeat(5_000_000)).tooDeepAt).toBe(64);
  });

  it('ignores brackets, quotes, colons and commas inside strings', () => {
    const value = { a: '[[[[{{{{', b: 'say \\"hi\\", "a": 1', c: '\\', d: ['x', 'y', { e: ',"f":' }] };
    expect(measureJson(JSON.stringify(value), 3)).toEqual({ tooDeepAt: undefined, keys: 5 });
  });

  it('counts repeated keys, which JSON.parse collapses', () => {
    const text = '{"a":1,"b":{"c":1,"c":2},"a":3}';
    expect(measureJson(text).keys).toBe(5);
    expect(countKeys(JSON.parse(text))).toBe(3);
    expect(countKeys(JSON.parse('{"__proto__":1,"x":[{"y":null}]}'))).toBe(3);
  });
});

describe('findDuplicateKey', () => {
  it('names the key and the path of its object', () => {
    expect(findDuplicateKey('{"object_kind":"merge_request","a":1,"object_kind":"issue"}')).toEqual({ key: 'object_kind', path: '' });
    expect(findDuplicateKey('{"object_attributes":{"labels":[{"title":"a"},{"id":1,"title":"b","title":"c"}]}}')).toEqual({
      key: 'title',
      path: 'object_attributes.labels[1]',
    });
  });

  it('compares keys after unescaping, and tells keys from values', () => {
    expect(findDuplicateKey('{"a":1,"\\u0061":2}')).toEqual({ key: 'a', path: '' });
    expect(findDuplicateKey('{"a":"a","b":["a","a"],"c":{"a":1}}')).toBeUndefined();
    expect(findDuplicateKey('[{"a":1},{"a":1}]')).toBeUndefined();
  });
});

describe('parseJsonObject', () => {
  const parse = (text: string) => parseJsonObject(new TextEncoder().encode(text));
  const failure = (text: string) => {
    try {
      parse(text);
    } catch (error) {
      expect(error).toBeInstanceOf(PayloadError);
      return { code: (error as PayloadError).code, message: (error as PayloadError).message };
    }
    throw new Error('expected a PayloadError');
  };

  it('parses an object', () => {
    expect(parse('{"object_kind":"push","n":[1,{"x":null}]}')).toEqual({ object_kind: 'push', n: [1, { x: null }] });
  });

  it('refuses deep nesting before parsing, saying where', () => {
    expect(failure(`{"a":${nested(100)}}`)).toEqual({
      code: 'nesting_too_deep',
      message: 'JSON nested too deeply: expected at most 64 levels of objects and arrays, got more at character 68',
    });
  });

  it('refuses duplicate keys naming the key and where it is', () => {
    expect(failure('{"a":1,"a":2}')).toEqual({ code: 'duplicate_key', message: 'duplicate key "a" in the top-level object: each key may appear once' });
    expect(failure('{"user":{"id":1,"id":99}}').message).toBe('duplicate key "id" in the object at user: each key may appear once');
  });

  it('shortens a long key in the message', () => {
    const key = 'k'.repeat(10_000);
    expect(failure(`{"${key}":1,"${key}":2}`).message).toBe(`duplicate key "${'k'.repeat(100)}…" in the top-level object: each key may appear once`);
  });

  it('reports a syntax error rather than a duplicate key in text that is not JSON', () => {
    expect(failure('{"a":1,"a":2').code).toBe('invalid_json');
  });
});

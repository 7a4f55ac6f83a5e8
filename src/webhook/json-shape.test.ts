import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/support/events.js';
import { PayloadError } from '../errors.js';
import { inspectJsonShape } from './json-shape.js';
import { parseJsonObject } from './parse-json.js';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('inspectJsonShape', () => {
  it("finds nothing wrong in GitLab's published payloads", () => {
    for (const name of ['merge_request', 'issue', 'note_merge_request', 'note_issue', 'push', 'pipeline'] as const) {
      expect(inspectJsonShape(JSON.stringify(fixture(name), null, 2)), name).toBeUndefined();
    }
  });

  it('allows exactly maxDepth levels and stops at the first bracket past them', () => {
    expect(inspectJsonShape(nested(64))).toBeUndefined();
    expect(inspectJsonShape(nested(65))).toEqual({ kind: 'too_deep', offset: 64 });
    expect(inspectJsonShape('{"a":{"b":[1]}}', 3)).toBeUndefined();
    expect(inspectJsonShape('{"a":{"b":[{}]}}', 3)).toEqual({ kind: 'too_deep', offset: 11 });
  });

  it('handles millions of levels without recursion', () => {
    expect(inspectJsonShape('['.repeat(5_000_000))).toEqual({ kind: 'too_deep', offset: 64 });
  });

  it('ignores brackets, quotes and commas inside strings', () => {
    const text = JSON.stringify({ a: '[[[[{{{{', b: 'say \\"hi\\", "a": 1', c: '\\', d: ['x', 'y'] });
    expect(inspectJsonShape(text, 2)).toBeUndefined();
  });

  it('reports a duplicate key with the path of its object', () => {
    expect(inspectJsonShape('{"object_kind":"merge_request","a":1,"object_kind":"issue"}')).toEqual({ kind: 'duplicate_key', key: 'object_kind', path: '' });
    expect(inspectJsonShape('{"object_attributes":{"labels":[{"title":"a"},{"id":1,"title":"b","title":"c"}]}}')).toEqual({
      kind: 'duplicate_key',
      key: 'title',
      path: 'object_attributes.labels[1]',
    });
  });

  it('compares keys after unescaping, and tells keys from values', () => {
    expect(inspectJsonShape('{"a":1,"\\u0061":2}')).toMatchObject({ key: 'a' });
    expect(inspectJsonShape('{"a":"a","b":["a","a"],"c":{"a":1}}')).toBeUndefined();
    expect(inspectJsonShape('[{"a":1},{"a":1}]')).toBeUndefined();
  });

  it('still measures depth after a duplicate was found', () => {
    expect(inspectJsonShape(`{"a":1,"a":2,"b":${nested(100)}}`)).toEqual({ kind: 'too_deep', offset: 80 });
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

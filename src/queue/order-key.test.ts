import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/support/events.js';
import { normalizeEvent } from '../event/from-webhook.js';
import { orderKey } from './order-key.js';

function key(payload: Record<string, unknown>): string {
  const result = normalizeEvent(payload);
  if (!('event' in result)) throw new Error(JSON.stringify(result));
  return orderKey(result.event);
}

describe('orderKey', () => {
  it('orders events about one merge request together, whatever their kind', () => {
    const mr = fixture('merge_request');
    mr['project']['id'] = 5;
    expect(key(mr)).toBe('5:merge_request:1');
    expect(key(fixture('note_merge_request'))).toBe('5:merge_request:1');
  });

  it('keeps other merge requests, issues, refs and projects apart', () => {
    const other = fixture('merge_request');
    other['object_attributes']['iid'] = 2;
    expect(key(other)).toBe('1:merge_request:2');
    expect(key(fixture('issue'))).toBe('1:issue:23');
    expect(key(fixture('push'))).toBe('15:ref:refs/heads/master');
    expect(key(fixture('tag_push'))).toBe('1:ref:refs/tags/v1.0.0');
  });
});

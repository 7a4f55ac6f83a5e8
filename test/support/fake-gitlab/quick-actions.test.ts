// Unit tests of quick-action extraction and planning, the part of the fake most likely to be subtly wrong.

import { describe, expect, test } from 'vitest';
import { extractQuickActions, planQuickActions, type QuickActionContext } from './quick-actions.js';
import type { FakeIssue } from './types.js';

describe('extractQuickActions', () => {
  test('removes command lines, keeps the rest and trims the end', () => {
    expect(extractQuickActions('Hello\r\n/label ~a ~"b c"\r\n/close   \r\n\r\n')).toEqual({
      text: 'Hello',
      actions: [
        { name: 'label', argument: '~a ~"b c"' },
        { name: 'close', argument: '' },
      ],
    });
  });

  test('ignores commands inside a closed fence, but not after an unclosed one', () => {
    expect(extractQuickActions('```\n/close\n```\n/reopen').actions).toEqual([{ name: 'reopen', argument: '' }]);
    expect(extractQuickActions('```sh\n/close').actions).toEqual([{ name: 'close', argument: '' }]);
  });

  test('needs the known command right after the slash, followed by a space or the line end', () => {
    const body = '/close\tnow\n/labelx\n//close\n/unknown\n/REOPEN soon';
    expect(extractQuickActions(body)).toEqual({
      text: '/close\tnow\n/labelx\n//close\n/unknown',
      actions: [{ name: 'reopen', argument: 'soon' }],
    });
  });
});

describe('planQuickActions', () => {
  const issue: FakeIssue = {
    project_id: 1,
    iid: 1,
    title: 't',
    description: '',
    state: 'opened',
    labels: ['old'],
    assignee_ids: [],
    author_id: 1,
    created_at: '',
    updated_at: '',
    closed_at: null,
  };
  const bot = { id: 99, username: 'rulebot' };
  const users = [{ id: 10, username: 'alice' }, bot];
  const context: QuickActionContext = {
    author: bot,
    user: (id) => users.find((user) => user.id === id),
    userByUsername: (username) => users.find((user) => user.username === username),
  };

  test('accumulates labels across commands and resolves /relabel last', () => {
    const { actions } = extractQuickActions('/label ~a\n/labels b\n/relabel ~"c d"');
    expect(planQuickActions(actions, issue, context).change).toEqual({ add_labels: ['a', 'b'], labels: ['c d'] });
  });

  test('/assign adds to the assignees; /unassign without names removes them all', () => {
    const { actions } = extractQuickActions('/assign @alice, me\n/unassign');
    const plan = planQuickActions(actions, issue, context);
    expect(plan.change).toEqual({ assignee_ids: [] });
    expect(plan.summary).toEqual(['Assigned @alice, @rulebot. Removed assignees @alice, @rulebot.']);
  });
});

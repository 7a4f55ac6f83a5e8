import { describe, expect, it } from 'vitest';
import { RuleConfigError } from '../errors.js';
import type { RuleEvent } from '../event/event.js';
import { compileCondition } from './conditions.js';
import type { Fact, Facts } from './context.js';
import { loadRules } from './load.js';
import { ConditionSchema } from './schema.js';

function problems(condition: string): string[] {
  try {
    loadRules([{ path: 'rules/x.yml', text: `rules:\n  - name: r\n    on: merge_request\n    if: ${condition}\n    then: { close: true }\n` }]);
  } catch (error) {
    if (error instanceof RuleConfigError) return [...error.issues];
    throw error;
  }
  return [];
}

const event = {
  names: ['merge_request', 'merge_request.update'],
  kind: 'merge_request',
  action: 'update',
  project: { id: 1, path_with_namespace: 'g/p', web_url: '' },
  user: { id: 1, username: 'root' },
  subject: {
    type: 'merge_request', iid: 1, title: 't', description: '', state: 'opened', complete: true, labels: ['ready'],
    author_id: 1, assignee_ids: [], reviewer_ids: [], people_known: true, url: '',
  },
  labels_changed: undefined,
} satisfies RuleEvent;

function evaluate(condition: unknown, facts: Facts = {}) {
  const evaluator = compileCondition(ConditionSchema.parse(condition));
  const missing = new Set<Fact>();
  return { value: evaluator({ event, facts, missing, now: 0 }), missing: [...missing] };
}

describe('conditions on state', () => {
  it('refuses a misspelt merge status and a pipeline status GitLab does not have', () => {
    expect(problems('{ merge_status: mergable }')[0]).toMatch(/merge_status: expected a detailed merge status such as mergeable/);
    expect(problems('{ pipeline: { status: green } }')[0]).toMatch(/pipeline.status: expected one of none, created/);
    expect(problems('{ approvals: {} }')[0]).toMatch(/approvals: expected at least one of approved, count, by/);
    expect(problems('{ approvals: approved, threads: { unresolved: { at_most: 0 } }, type: Incident }')).toEqual([]);
  });

  it('asks for the cheaper fact first, and for later ones only once it is known', () => {
    const condition = { threads: { unresolved: { at_most: 0 } }, approvals: 'approved', pipeline: { status: 'success' } };
    expect(evaluate(condition)).toEqual({ value: undefined, missing: ['subject'] });
    const details = { assignees: [], reviewers: [], pipeline_status: 'success' };
    expect(evaluate(condition, { details })).toEqual({ value: undefined, missing: ['approvals'] });
    expect(evaluate(condition, { details, approvals: { approved: true, usernames: ['a'] } })).toEqual({ value: undefined, missing: ['discussions'] });
    expect(evaluate(condition, { details, approvals: { approved: true, usernames: ['a'] }, unresolvedThreads: 0 }).value).toBe(true);
  });

  it('is false without asking when a cheaper key is false, even after an unknown one', () => {
    expect(evaluate({ approvals: 'approved', labels: { all: ['other'] } })).toEqual({ value: false, missing: [] });
    expect(evaluate({ reviewers: { any: ['alice'] } })).toEqual({ value: false, missing: [] });
    expect(evaluate({ type: 'merge_request', confidential: false }).value).toBe(true);
  });

  it('reads @me, the user templates and refuses other templates in the users of assignees, reviewers and approvals', () => {
    const details = { assignees: ['root'], reviewers: ['alice'], pipeline_status: 'success' };
    // root caused the event (and wrote the merge request).
    expect(evaluate({ assignees: { any: ['@me'] } }, { details }).value).toBe(true);
    expect(evaluate({ reviewers: { any: ['{{ user.username }}'] } }, { details }).value).toBe(false);
    expect(evaluate({ assignees: { any: ['{{ author.username }}'] } }, { details }).value).toBe(true);
    expect(evaluate({ approvals: { by: { any: ['@me'] } } }, { approvals: { approved: false, usernames: ['ROOT'] } }).value).toBe(true);
    expect(problems('{ assignees: { any: ["{{ title }}"] } }')[0]).toMatch(/assignees.any\[0\]: expected a username, "@me"/);
  });
});

import { describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../../test/support/events.js';
import { loadRules } from '../rules/index.js';
import { normalizeEvent } from '../event/from-webhook.js';
import type { RuleEvent } from '../event/event.js';
import { planActions } from './plan.js';

function event(options: Parameters<typeof mergeRequestPayload>[0] = {}, state?: string): RuleEvent {
  const payload = mergeRequestPayload(options);
  if (state) payload['object_attributes']['state'] = state;
  const result = normalizeEvent(payload);
  if (!('event' in result)) throw new Error(JSON.stringify(result));
  return result.event;
}

function plan(thens: string[], e: RuleEvent, userIds = new Map<string, number>()) {
  const yaml = thens.map((then, i) => `  - { name: r${i}, on: merge_request, then: ${then} }`).join('\n');
  const rules = loadRules([{ path: 'p.yml', text: `rules:\n${yaml}\n` }]).rules;
  return planActions({ event: e, rules, userIds });
}

describe('planActions', () => {
  it('merges every edit of every rule into one PUT, skipping labels already there or already gone', () => {
    const result = plan(['{ add_labels: [a, API] }', '{ remove_labels: [gone, API], close: true }', '{ add_labels: [b] }'], event({ labels: ['API'] }));
    expect(result.calls).toEqual([
      { kind: 'edit', method: 'PUT', path: '/projects/1/merge_requests/1', body: { add_labels: 'a,b', remove_labels: 'API', state_event: 'close' }, rules: ['r0', 'r1', 'r2'] },
    ]);
  });

  it('lets the later rule win when two disagree', () => {
    expect(plan(['{ remove_labels: [x], reopen: true }', '{ add_labels: [x], close: true }'], event({ labels: [] })).calls[0]?.body).toEqual({
      add_labels: 'x',
      state_event: 'close',
    });
  });

  it('plans nothing when nothing would change', () => {
    expect(plan(['{ add_labels: [API] }', '{ remove_labels: [absent] }'], event({ labels: ['API'] })).calls).toEqual([]);
    expect(plan(['{ close: true }'], event({}, 'closed')).calls).toEqual([]);
    expect(plan(['{ reopen: true }'], event({}, 'merged')).calls).toEqual([]);
  });

  it('posts one note per comment, after the edit', () => {
    const result = plan(['{ add_labels: [x], comment: "first" }', '{ comment: { body: "second", internal: true } }'], event({ labels: [] }));
    expect(result.calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ['PUT', '/projects/1/merge_requests/1', { add_labels: 'x' }],
      ['POST', '/projects/1/merge_requests/1/notes', { body: 'first' }],
      ['POST', '/projects/1/merge_requests/1/notes', { body: 'second', internal: true }],
    ]);
  });

  it('adds people to those already assigned, and reports unknown users', () => {
    const result = plan(['{ assign: [alice, ghost], request_review: [user1] }'], event(), new Map([['alice', 21], ['user1', 6]]));
    // GitLab's example merge request has user 6 as assignee and reviewer already.
    expect(result.calls[0]?.body).toEqual({ assignee_ids: [6, 21] });
    expect(result.warnings).toEqual(['rule "r0": assign: no GitLab user "ghost"']);
  });

  it('reads @me and the user templates in unassign and remove_reviewers as assign does, and names unknown users', () => {
    // user1 (id 6) caused the event; GitLab's example merge request has them as assignee and reviewer.
    const e = event({ userId: 6, username: 'user1' });
    const ids = new Map([['user1', 6], ['alice', 21]]);
    const result = plan(['{ unassign: ["@me", ghost], remove_reviewers: ["{{ user.username }}"], assign: [alice] }'], e, ids);
    expect(result.calls[0]?.body).toEqual({ assignee_ids: [21], reviewer_ids: [] });
    expect(result.unknownUsers).toEqual(['`ghost`']);
    // The author is not known here (no author fact read): said in words, and the rest is done.
    const withAuthor = plan(['{ unassign: ["{{ author.username }}"], remove_reviewers: true }'], event({ userId: 1, authorId: 7 }), ids);
    expect(withAuthor.calls[0]?.body).toEqual({ reviewer_ids: [] });
    expect(withAuthor.unknownUsers).toEqual(['the author of this merge request']);
  });

  it('asks the reviewers picked for a rule, by its key', () => {
    const rules = loadRules([{ path: 'p.yml', text: 'rules:\n  - { name: r0, on: merge_request, then: { request_review: { pick: 1, from: ["@me", bob] } } }\n' }]).rules;
    const result = planActions({ event: event(), rules, userIds: new Map([['bob', 30]]), picks: new Map([['r0', ['bob']]]) });
    expect(result.calls[0]?.body).toEqual({ reviewer_ids: [6, 30] });
  });
});

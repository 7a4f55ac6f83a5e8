import { describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../../test/support/events.js';
import { normalizeEvent } from '../event/from-webhook.js';
import { loadRules, resolveDueDate } from '../rules/index.js';
import { planActions } from './plan.js';

function planFor(then: string, title: string) {
  const result = normalizeEvent(mergeRequestPayload({ title }));
  if (!('event' in result)) throw new Error(JSON.stringify(result));
  const rules = loadRules([{ path: 'p.yml', text: `rules:\n  - { name: r, on: merge_request, then: ${then} }\n` }]).rules;
  return planActions({ event: result.event, rules, userIds: new Map(), milestoneIds: new Map([['17.0', 5]]) });
}

describe('field actions', () => {
  it('marks a draft through the title, and takes any of GitLab\'s draft prefixes off', () => {
    expect(planFor('{ draft: true }', 'Fix it').calls[0]?.body).toEqual({ title: 'Draft: Fix it' });
    expect(planFor('{ draft: false }', '[Draft] Fix it').calls[0]?.body).toEqual({ title: 'Fix it' });
    expect(planFor('{ draft: false }', '(draft) Fix it').calls[0]?.body).toEqual({ title: 'Fix it' });
    expect(planFor('{ draft: true }', 'Draft: Fix it').calls).toEqual([]);
  });

  it('sets a known milestone, warns about an unknown one and about issue-only fields on merge requests', () => {
    expect(planFor('{ milestone: "17.0", lock_discussion: true }', 'x').calls[0]?.body).toEqual({ milestone_id: 5, discussion_locked: true });
    const plan = planFor('{ milestone: "18.0", due_date: "+1d", confidential: true }', 'x');
    expect(plan.calls).toEqual([]);
    expect(plan.warnings).toEqual([
      'rule "r": milestone: no open milestone "18.0" in the project or its groups',
      'rule "r": due_date: merge requests have no due date',
      'rule "r": confidential: only issues can be confidential',
    ]);
  });

  it('counts relative due dates in days and weeks from the day in UTC', () => {
    const now = Date.parse('2026-02-27T23:30:00Z');
    expect(resolveDueDate('+2d', now)).toBe('2026-03-01');
    expect(resolveDueDate('+1w', now)).toBe('2026-03-06');
    expect(resolveDueDate('2026-12-31', now)).toBe('2026-12-31');
  });
});

import { describe, expect, it } from 'vitest';
import type { RuleEvent } from '../event/event.js';
import { loadRules, type Facts } from '../rules/index.js';
import { explainRule } from './explain.js';

const event = {
  names: ['command', 'command.ship'],
  kind: 'command',
  action: undefined,
  project: { id: 1, path_with_namespace: 'g/p', web_url: '' },
  user: { id: 30, username: 'dev' },
  subject: {
    type: 'merge_request', iid: 1, title: 't', description: '', state: 'opened', complete: true, labels: [],
    author_id: 1, assignee_ids: [], reviewer_ids: [], people_known: true, url: '',
  },
  labels_changed: undefined,
  command: { name: 'ship', args: [], line: '@rulebot ship', note_id: 1, discussion_id: undefined },
} satisfies RuleEvent;

function refusal(condition: string, facts: Facts): string[] {
  const rule = loadRules([{ path: 'c.yml', text: `rules:\n  - name: ship\n    on: command.ship\n    if: ${condition}\n    then: { merge: {} }\n` }]).rules[0]!;
  return explainRule(rule, event, facts);
}

const details = (extra: Partial<NonNullable<Facts['details']>>) => ({ details: { assignees: [], reviewers: [], ...extra } });

describe('refusals of commands whose rules use the conditions on GitLab state', () => {
  it('say what the command needs and what is instead', () => {
    const developer = { accessLevel: 30 };
    expect(refusal('{ user: { access: developer }, pipeline: { status: success } }', { ...developer, ...details({ pipeline_status: 'running' }) })).toEqual([
      '`ship` needs the pipeline to have succeeded; it is running',
    ]);
    expect(refusal('{ approvals: { count: { at_least: 2 } } }', { approvals: { approved: false, usernames: ['alice'] } })).toEqual(['`ship` needs at least 2 approvals; it has 1']);
    expect(refusal('{ threads: { unresolved: { at_most: 0 } } }', { unresolvedThreads: 3 })).toEqual(['`ship` needs no unresolved threads; it has 3']);
    expect(refusal('{ merge_status: mergeable }', details({ merge_status: 'need_rebase' }))).toEqual(["`ship` needs GitLab's merge status to be mergeable; it needs a rebase"]);
    expect(refusal('{ conflicts: false }', details({ has_conflicts: true }))).toEqual(['`ship` needs no conflicts with its target branch; it has conflicts']);
    expect(refusal('{ reviewers: { any: [alice, bob] } }', details({ reviewers: ['carol'] }))).toEqual(['`ship` needs alice or bob as reviewer; its reviewers are carol']);
    expect(refusal('{ milestone: { is: "17.0" } }', details({}))).toEqual(['`ship` needs the milestone "17.0"; it has none']);
    expect(refusal('{ type: [incident] }', {})).toEqual(['`ship` needs an incident; this is a merge request']);
  });

  it('say a command that takes no arguments takes none', () => {
    const withArgs = { ...event, command: { ...event.command, args: [{ kind: 'word' as const, value: 'now', raw: 'now' }], line: '@rulebot ship now' } } satisfies RuleEvent;
    const rule = loadRules([{ path: 'c.yml', text: 'rules:\n  - name: ship\n    on: command.ship\n    if: { args: { max: 0 } }\n    then: { merge: {} }\n' }]).rules[0]!;
    expect(explainRule(rule, withArgs, {})).toEqual(['`ship` takes no arguments']);
  });

  it('name what is needed without what is, when it was not read, and only when nothing else is unmet', () => {
    expect(refusal('{ approvals: approved }', {})).toEqual(['`ship` needs every approval it requires']);
    // The role failed first, so the approvals were never read: only the role is named.
    expect(refusal('{ user: { access: maintainer }, approvals: approved }', { accessLevel: 30 })).toEqual([
      '`ship` needs the Maintainer role or higher in this project; you have the Developer role',
    ]);
  });
});

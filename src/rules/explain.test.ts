import { describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../../test/support/events.js';
import { normalizeEvent } from '../event/from-webhook.js';
import type { RuleEvent } from '../event/event.js';
import type { Facts } from './context.js';
import { formatDuration } from './duration.js';
import { describeUnmet, unmetConditions } from './explain.js';
import { loadRules } from './load.js';
import { ruleSource } from './rule.js';
import { ConditionSchema } from './schema.js';

function eventOf(options: Parameters<typeof mergeRequestPayload>[0] = {}): RuleEvent {
  const result = normalizeEvent(mergeRequestPayload(options));
  if (!('event' in result)) throw new Error(JSON.stringify(result));
  return result.event;
}

/** The one-line reasons of the first rule in `yaml` (its `if` only), for this event and facts. */
function reasons(yaml: string, event: RuleEvent, facts: Facts = {}, first = false): string[] {
  const rule = loadRules([{ path: 'r.yml', text: `rules:\n  - name: r\n    on: merge_request\n    if: ${yaml}\n    then: { close: true }\n` }]).rules[0]!;
  return unmetConditions(rule.when!, { event, facts, missing: new Set(), now: Date.parse('2024-01-10T00:00:00Z') }, { first }).map(describeUnmet);
}

const diffs = (...paths: string[]) => ({ diffs: { paths, changedLines: 12 } });

describe('unmetConditions', () => {
  it('names the label that is there but must not be, and the one missing', () => {
    const event = eventOf({ labels: ['API', 'backport'] });
    expect(reasons('{ labels: { none: [backport] } }', event)).toEqual(['labels.none: found "backport"']);
    expect(reasons('{ labels: { all: [API, "size::*"] } }', event)).toEqual(['labels.all: no label matches "size::*"']);
    expect(reasons('{ labels: { any: [bug, "type::*"] } }', event)).toEqual(['labels.any: the labels are "API", "backport"']);
  });

  it('names the changed file that keeps files.all from holding, and the glob one matches', () => {
    const event = eventOf();
    expect(reasons('{ files: { all: ["docs/**", "**/*.md"] } }', event, diffs('docs/a.md', 'src/app.ts'))).toEqual([
      'files.all: src/app.ts matches none of docs/**, **/*.md',
    ]);
    expect(reasons('{ files: { none: ["docs/**"] } }', event, diffs('docs/a.md'))).toEqual(['files.none: docs/a.md matches docs/**']);
    expect(reasons('{ files: { any: ["src/**"] } }', event, diffs('docs/a.md', 'README.md'))).toEqual([
      'files.any: none of the 2 changed files matches src/**',
    ]);
  });

  it('says when a condition could not be decided, naming the fact', () => {
    expect(reasons('{ files: { all: ["docs/**"] } }', eventOf())).toEqual(['files: could not be decided: the changed files not known']);
  });

  it('gives the failing conditions in evaluation order (costly keys last), or only the first', () => {
    const event = eventOf({ targetBranch: 'main', labels: ['backport'] });
    const yaml = '{ files: { all: ["docs/**"] }, target_branch: "release/*", labels: { none: [backport] } }';
    // Keys are read in the schema's order, the costly ones (files) last.
    expect(reasons(yaml, event, diffs('src/a.ts'))).toEqual([
      'labels.none: found "backport"',
      'target_branch: "main" matches none of release/*',
      'files.all: src/a.ts matches none of docs/**',
    ]);
    expect(reasons(yaml, event, {}, true)).toEqual(['labels.none: found "backport"']);
  });

  it('reaches into all and any, with the path of each part', () => {
    const event = eventOf({ title: 'Fix a crash', targetBranch: 'main' });
    expect(reasons('{ all: [ { state: opened }, { title: { contains: WIP } } ] }', event)).toEqual(['all[1].title: the title is "Fix a crash"']);
    const rule = loadRules([{ path: 'r.yml', text: 'rules:\n  - { name: r, on: merge_request, if: { any: [ { draft: true }, { target_branch: "release/*" } ] }, then: { close: true } }\n' }]).rules[0]!;
    const [any] = unmetConditions(rule.when!, { event, facts: {}, missing: new Set(), now: 0 });
    expect(any).toMatchObject({ path: 'any', found: 'none of them holds' });
    expect(any!.alternatives!.map((branch) => branch.map(describeUnmet))).toEqual([
      ['any[0].draft: it is not a draft'],
      ['any[1].target_branch: "main" matches none of release/*'],
    ]);
  });

  it('says how old something is in the rule files\' units', () => {
    const event = eventOf();
    // GitLab's example merge request was created on 2013-12-03.
    expect(reasons('{ created: { newer_than: 30d } }', event)).toEqual([expect.stringMatching(/^created\.newer_than: created \d+d ago$/)]);
    expect(reasons('{ merged: { older_than: 2w } }', event)).toEqual(['merged.older_than: not merged']);
    expect(formatDuration(30 * 86_400_000)).toBe('30d');
    expect(formatDuration(14 * 86_400_000)).toBe('2w');
    expect(formatDuration(3.5 * 86_400_000)).toBe('3d');
    expect(formatDuration(5 * 60_000 + 1)).toBe('5m');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(3 * 3_600_000 + 5)).toBe('3h');
  });

  it('explains the changed line count, and a role', () => {
    const event = eventOf();
    expect(reasons('{ changed_lines: { greater_than: 400 } }', event, diffs('a'))).toEqual(['changed_lines.greater_than: 12 changed lines']);
    expect(reasons('{ user: { access: maintainer } }', event, { accessLevel: 30 })).toEqual(['user.access: the Developer role']);
  });
});

describe('unmetConditions on the state GitLab keeps (issue 13)', () => {
  const details = (extra: Partial<NonNullable<Facts['details']>> = {}) => ({ details: { assignees: [], reviewers: [], ...extra } });

  it('says what the approvals, the pipeline and the merge status were against what was asked', () => {
    const event = eventOf();
    expect(reasons('{ approvals: { count: { at_least: 2 } } }', event, { approvals: { approved: false, usernames: ['alice'] } })).toEqual([
      'approvals.count.at_least: expected at least 2 approvals, found 1 approval',
    ]);
    expect(reasons('{ approvals: { by: { any: [alice, bob] } } }', event, { approvals: { approved: false, usernames: ['carol'] } })).toEqual([
      'approvals.by.any: expected an approval by one of alice, bob, found approved by "carol"',
    ]);
    expect(reasons('{ approvals: approved }', event, { approvals: { approved: false, usernames: [] } })).toEqual([
      'approvals.approved: expected approved (every required approval given), found not approved yet (0 approvals)',
    ]);
    expect(reasons('{ pipeline: { status: success } }', event, details({ pipeline_status: 'running' }))).toEqual([
      'pipeline.status: expected a pipeline that succeeded, found a pipeline that is running',
    ]);
    expect(reasons('{ pipeline: { status: [success, none] } }', event, details({ pipeline_status: 'failed' }))).toEqual([
      'pipeline.status: expected a pipeline that succeeded or no pipeline, found a pipeline that failed',
    ]);
    expect(reasons('{ merge_status: mergeable }', event, details({ merge_status: 'need_rebase' }))).toEqual([
      'merge_status: expected merge status mergeable, found merge status need_rebase (it needs a rebase)',
    ]);
    expect(reasons('{ conflicts: false }', event, details({ has_conflicts: true }))).toEqual(['conflicts: expected no conflicts, found it has conflicts']);
  });

  it('explains threads, people, milestone, type, confidential and emoji', () => {
    const event = eventOf();
    expect(reasons('{ threads: { unresolved: { at_most: 0 } } }', event, { unresolvedThreads: 3 })).toEqual([
      'threads.unresolved.at_most: expected no unresolved threads, found 3 unresolved threads',
    ]);
    expect(reasons('{ reviewers: { any: [alice] } }', event, details({ reviewers: ['bob'] }))).toEqual([
      'reviewers.any: expected a reviewer among alice, found reviewers "bob"',
    ]);
    expect(reasons('{ assignees: { none: true } }', event, details({ assignees: ['bob', 'carol'] }))).toEqual([
      'assignees.none: expected no assignees, found assignees "bob", "carol"',
    ]);
    expect(reasons('{ assignees: { count: { at_least: 1 } } }', event, details())).toEqual(['assignees.count.at_least: expected at least 1 assignee, found 0 assignees']);
    expect(reasons('{ milestone: { is: "17.0" } }', event, details({ milestone: '16.11' }))).toEqual(['milestone.is: expected milestone "17.0", found milestone "16.11"']);
    expect(reasons('{ milestone: { none: true } }', event, details({ milestone: '16.11' }))).toEqual(['milestone.none: expected no milestone, found milestone "16.11"']);
    expect(reasons('{ type: [incident, task] }', event)).toEqual(['type: expected type incident or task, found the type is merge_request']);
    expect(reasons('{ confidential: true }', event)).toEqual(['confidential: expected a confidential issue, found a merge request, never confidential']);
    expect(reasons('{ emoji: [rocket] }', event)).toEqual(['emoji: expected the emoji :rocket: awarded or revoked, found not an emoji event']);
  });

  it('words the last activity, leaving out the people it ignores', () => {
    const event = eventOf();
    const now = Date.parse('2024-01-10T00:00:00Z');
    const activity = { notes: [{ username: 'renovate', at: now - 86_400_000 }, { username: 'alice', at: now - 3 * 86_400_000 }], complete: false };
    expect(reasons('{ activity: { older_than: 30d, ignore_activity_from: [renovate] } }', event, { activity })).toEqual([
      'activity.older_than: expected the last activity more than 30d ago (not counting renovate), found the last activity 3d ago, by "alice"',
    ]);
  });

  it('says which state was not read when it could not be decided, and words a command\'s need', () => {
    const [unmet] = unmetConditions(ConditionSchema.parse({ approvals: { count: { at_least: 2 } } }), { event: eventOf(), facts: {}, missing: new Set(), now: 0 });
    expect(unmet).toMatchObject({ path: 'approvals', undecided: true, expected: 'at least 2 approvals', needs: 'at least 2 approvals', found: 'could not be decided: the approvals not known' });
    expect(describeUnmet(unmet!)).toBe('approvals: could not be decided: the approvals not known');
    const [pipeline] = unmetConditions(ConditionSchema.parse({ pipeline: { status: 'success' } }), { event: eventOf(), facts: details({ pipeline_status: 'running' }), missing: new Set(), now: 0 });
    expect(pipeline).toMatchObject({ needs: 'the pipeline to have succeeded', has: 'it is running' });
  });
});

describe('rule sources', () => {
  it('are the file and the line where the rule starts', () => {
    const text = 'rules:\n  - name: a\n    on: merge_request\n    then: { close: true }\n\n  - name: b\n    on: issue\n    then: { close: true }\n';
    expect(loadRules([{ path: 'rules/x.yml', text }]).rules.map(ruleSource)).toEqual(['rules/x.yml:2', 'rules/x.yml:6']);
  });
});

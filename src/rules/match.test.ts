import { describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../../test/support/events.js';
import { normalizeEvent } from '../event/from-webhook.js';
import type { RuleEvent } from '../event/event.js';
import type { Facts } from './context.js';
import { loadRules } from './load.js';
import { matchRules } from './match.js';

function eventOf(payload: Record<string, unknown>): RuleEvent {
  const result = normalizeEvent(payload);
  if (!('event' in result)) throw new Error(JSON.stringify(result));
  return result.event;
}

/** Names of the rules (given as YAML list items) that match, and the facts still missing. */
function run(rulesYaml: string, event: RuleEvent, facts: Facts = {}) {
  const set = loadRules([{ path: 'r.yml', text: `rules:\n${rulesYaml}` }]);
  const result = matchRules(set, event, facts);
  return { matched: result.matched.map((r) => r.name), pending: result.pending.map((r) => r.name), missing: [...result.missing] };
}

const mr = (options: Parameters<typeof mergeRequestPayload>[0] = {}) => eventOf(mergeRequestPayload(options));

describe('matchRules', () => {
  it('selects rules by event name, general or specific', () => {
    const rules = `
  - { name: any mr, on: merge_request, then: { close: true } }
  - { name: open, on: merge_request.open, then: { close: true } }
  - { name: update, on: merge_request.update, then: { close: true } }
  - { name: issue, on: issue, then: { close: true } }
`;
    expect(run(rules, mr()).matched).toEqual(['any mr', 'open']);
    expect(run(rules, mr({ action: 'update' })).matched).toEqual(['any mr', 'update']);
  });

  it('matches labels with all/any/none and scoped families', () => {
    const rules = `
  - { name: all, on: merge_request, if: { labels: { all: [bug, "size::*"] } }, then: { close: true } }
  - { name: any, on: merge_request, if: { labels: { any: [docs, bug] } }, then: { close: true } }
  - { name: none, on: merge_request, if: { labels: { none: ["size::*"] } }, then: { close: true } }
`;
    expect(run(rules, mr({ labels: ['bug', 'size::small'] })).matched).toEqual(['all', 'any']);
    expect(run(rules, mr({ labels: ['docs'] })).matched).toEqual(['any', 'none']);
    expect(run(rules, mr({ labels: [] })).matched).toEqual(['none']);
  });

  it('matches label changes made by the event', () => {
    const rules = `
  - { name: added, on: merge_request, if: { label_added: ["workflow::*"] }, then: { close: true } }
  - { name: removed, on: merge_request, if: { label_removed: [bug] }, then: { close: true } }
`;
    const event = mr({ action: 'update', labels: ['workflow::review'], previousLabels: ['bug'] });
    expect(run(rules, event).matched).toEqual(['added', 'removed']);
    expect(run(rules, mr({ action: 'update', labels: ['bug'] })).matched).toEqual([]);
  });

  it('matches branches with globs, title and user', () => {
    const rules = `
  - { name: release, on: merge_request, if: { target_branch: "release/*" }, then: { close: true } }
  - { name: deep, on: merge_request, if: { source_branch: ["feature/**"] }, then: { close: true } }
  - { name: wip title, on: merge_request, if: { title: { matches: "^(WIP|Draft)\\\\b", ignore_case: true } }, then: { close: true } }
  - { name: bots, on: merge_request, if: { user: { in: ["@Renovate-Bot"] } }, then: { close: true } }
  - { name: humans, on: merge_request, if: { user: { not_in: [renovate-bot] } }, then: { close: true } }
`;
    expect(run(rules, mr({ targetBranch: 'release/1.2', sourceBranch: 'feature/a/b', title: 'wip: x', username: 'renovate-bot' })).matched).toEqual([
      'release',
      'deep',
      'wip title',
      'bots',
    ]);
    expect(run(rules, mr({ targetBranch: 'release/1.2/hotfix', title: 'Fix' })).matched).toEqual(['humans']);
  });

  it('asks for changed files only when they decide the outcome', () => {
    const rules = `
  - { name: docs, on: merge_request, if: { files: { all: ["docs/**", "**/*.md"] } }, then: { close: true } }
  - { name: short-circuit, on: merge_request, if: { labels: { all: [never] }, changed_lines: { greater_than: 1 } }, then: { close: true } }
`;
    expect(run(rules, mr())).toEqual({ matched: [], pending: ['docs'], missing: ['diffs'] });
    const docsOnly = { diffs: { paths: ['docs/a.md', 'README.md'], changedLines: 3 } };
    expect(run(rules, mr(), docsOnly).matched).toEqual(['docs']);
    const mixed = { diffs: { paths: ['docs/a.md', 'src/a.ts'], changedLines: 3 } };
    expect(run(rules, mr(), mixed).matched).toEqual([]);
    expect(run(rules, mr(), { diffs: { paths: [], changedLines: 0 } }).matched).toEqual([]);
  });

  it('knows the author without a call when the author caused the event', () => {
    const rules = `  - { name: mine, on: merge_request, if: { author: { in: [alice] } }, then: { close: true } }\n`;
    expect(run(rules, mr({ userId: 7, username: 'alice', authorId: 7 })).matched).toEqual(['mine']);
    expect(run(rules, mr({ userId: 7, username: 'alice', authorId: 8 })).missing).toEqual(['author']);
    expect(run(rules, mr({ userId: 7, username: 'alice', authorId: 8 }), { authorUsername: 'bob' }).matched).toEqual([]);
  });

  it('combines conditions with any, all and not, three-valued', () => {
    const rules = `
  - name: combo
    on: merge_request
    if:
      any:
        - labels: { any: [urgent] }
        - all:
            - not: { draft: true }
            - changed_lines: { less_than: 10 }
    then: { close: true }
`;
    expect(run(rules, mr({ labels: ['urgent'] })).matched).toEqual(['combo']);
    expect(run(rules, mr()).missing).toEqual(['diffs']);
    expect(run(rules, mr(), { diffs: { paths: ['a'], changedLines: 3 } }).matched).toEqual(['combo']);
  });

  it('limits a file to the projects it names', () => {
    const set = loadRules([
      { path: 'a.yml', text: 'projects: ["acme/*"]\nrules:\n  - { name: acme, on: merge_request, then: { close: true } }\n' },
      { path: 'b.yml', text: 'rules:\n  - { name: all, on: merge_request, then: { close: true } }\n' },
    ]);
    const names = (path: string) => matchRules(set, mr({ path }), {}).matched.map((r) => r.name);
    expect(names('acme/widgets')).toEqual(['acme', 'all']);
    expect(names('other/widgets')).toEqual(['all']);
  });
});

describe('changed_lines on merge requests GitLab shows only in part', () => {
  it('proves "more than" from the lines it has, never "less than"', () => {
    const rules = `
  - { name: small, on: merge_request, if: { changed_lines: { less_than: 10 } }, then: { close: true } }
  - { name: big, on: merge_request, if: { changed_lines: { greater_than: 2 } }, then: { close: true } }
`;
    const partial = { diffs: { paths: ['generated.json'], changedLines: 3, incomplete: true } };
    expect(run(rules, mr(), partial).matched).toEqual(['big']);
  });
});

describe('title and description patterns on hostile text', () => {
  const withText = (title: string, description = '') => {
    const payload = mergeRequestPayload({ title });
    payload['object_attributes']['description'] = description;
    return eventOf(payload);
  };

  it('match a 100,000-character title against the pattern that stalled the event loop', () => {
    const rules = `  - { name: colon, on: merge_request, if: { title: { matches: '^(\\w+\\s?)*:' } }, then: { close: true } }\n`;
    expect(run(rules, withText(`${'a'.repeat(100_000)}!`)).matched).toEqual([]);
    // The colon is the 100,001st character, past what is matched.
    expect(run(rules, withText(`${'fix '.repeat(25_000)}:`)).matched).toEqual([]);
    expect(run(rules, withText('fix the parser: at last')).matched).toEqual(['colon']);
  });

  it('look at the first 65,536 characters of the description only, for matches and contains alike', () => {
    const rules = `
  - { name: regex, on: merge_request, if: { description: { matches: 'BREAKING CHANGE' } }, then: { close: true } }
  - { name: text, on: merge_request, if: { description: { contains: 'breaking change', ignore_case: true } }, then: { close: true } }
`;
    const padding = 'x'.repeat(65_536 - 'BREAKING CHANGE'.length);
    expect(run(rules, withText('t', `${padding}BREAKING CHANGE`)).matched).toEqual(['regex', 'text']);
    expect(run(rules, withText('t', `${padding}xBREAKING CHANGE`)).matched).toEqual([]);
  });
});

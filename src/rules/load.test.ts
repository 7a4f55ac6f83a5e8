import { describe, expect, it } from 'vitest';
import { RuleConfigError } from '../errors.js';
import { loadRules } from './load.js';

function problems(text: string, path = 'rules/x.yml'): string[] {
  try {
    loadRules([{ path, text }]);
  } catch (error) {
    if (error instanceof RuleConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected the rule file to be refused');
}

describe('loadRules', () => {
  it('loads a valid file and indexes rules by event name', () => {
    const set = loadRules([
      {
        path: 'rules/a.yml',
        text: 'rules:\n  - name: one\n    on: [merge_request.open, issue]\n    then: { add_labels: [x] }\n  - name: two\n    on: note\n    then: { remove_labels: [y] }\n',
      },
    ]);
    expect(set.rules.map((r) => [r.name, r.file, r.on])).toEqual([
      ['one', 'rules/a.yml', ['merge_request.open', 'issue']],
      ['two', 'rules/a.yml', ['note']],
    ]);
  });

  it('names file, line, rule and field, and says what was expected and found', () => {
    expect(problems('rules:\n  - name: docs\n    on: merge_request.open\n    then:\n      add_labels: 5\n')).toEqual([
      'rules/x.yml:5: rule "docs": then.add_labels: expected a list of label names, got a number (5)',
    ]);
  });

  it('says what is wrong inside a value of the right form, and refuses what would never work', () => {
    const rule = (then: string, on = 'merge_request.open', cond = '') => `  - name: r\n    on: ${on}\n${cond}    then: ${then}\n`;
    expect(problems(`rules:\n${rule('{ due_date: "+7x" }', 'issue.open')}`)).toEqual([
      'rules/x.yml:4: rule "r": then.due_date: expected "+Nd" or "+Nw" (days or weeks from the day it runs, e.g. "+7d"), a date "YYYY-MM-DD", or null to remove it, got "+7x"',
    ]);
    expect(problems(`rules:\n${rule('{ unassign: ["{{ title }}"] }')}`)).toEqual([
      'rules/x.yml:4: rule "r": then.unassign[0]: expected a username, "@me", "{{ user.username }}", "{{ author.username }}" or "{{ args }}", got "{{ title }}"',
    ]);
    expect(problems(`rules:\n${rule('{ auto_merge: { squash: maybe } }')}`)).toEqual(['rules/x.yml:4: rule "r": then.auto_merge.squash: expected true or false, got "maybe"']);
    expect(problems(`rules:\n${rule('{ request_review: { pick: 3, from: [alice, bob] } }')}`)).toEqual([
      'rules/x.yml:4: rule "r": then.request_review.pick: expected at most 2 (the users in "from"), got 3',
    ]);
    expect(problems(`rules:\n${rule('{ add_labels: [x] }', 'issue.open', '    if: { type: incidnet }\n')}`)).toEqual([
      'rules/x.yml:4: rule "r": if.type: unknown type "incidnet" (did you mean "incident"?); known: issue, incident, test_case, task, epic, key_result, objective, requirement, ticket, merge_request',
    ]);
  });

  it('reads declared labels, a file of labels alone included, and refuses a label declared twice or a bad color', () => {
    const set = loadRules([
      { path: 'rules/labels.yml', text: 'labels:\n  - { name: bug, color: "#d9534f", description: Broken }\n' },
      { path: 'rules/a.yml', text: 'rules:\n  - { name: one, on: issue, then: { add_labels: [bug] } }\n' },
    ]);
    expect([...set.labels.values()]).toEqual([{ name: 'bug', color: '#d9534f', description: 'Broken' }]);
    expect(problems('labels:\n  - { name: bug, color: red }\n')).toEqual(['rules/x.yml:2: labels[0].color: expected a color such as "#d9534f", got "red"']);
    try {
      loadRules([
        { path: 'a.yml', text: 'labels: [{ name: bug, color: "#000000" }]\n' },
        { path: 'b.yml', text: 'labels: [{ name: bug, color: "#ffffff" }]\n' },
      ]);
      throw new Error('expected a RuleConfigError');
    } catch (error) {
      expect((error as RuleConfigError).issues).toEqual(['b.yml: labels: label "bug" is declared twice (also in a.yml)']);
    }
  });

  it('reports unknown keys with the keys that are allowed', () => {
    const [line] = problems('rules:\n  - name: docs\n    on: issue\n    if: { titel: x }\n    then: { close: true }\n');
    expect(line).toMatch(/^rules\/x\.yml:4: rule "docs": if: unknown key "titel" \(expected one of: labels, .*title.*\)$/);
  });

  it('refuses unknown events, listing the known ones', () => {
    const [line] = problems('rules:\n  - name: r\n    on: merge_request.opened\n    then: { close: true }\n');
    expect(line).toContain('rule "r": on: unknown event "merge_request.opened" (known: merge_request, merge_request.open');
  });

  it('refuses unknown template variables and unbalanced braces', () => {
    expect(problems('rules:\n  - name: r\n    on: issue\n    then: { comment: "hi {{ usr }}" }\n')[0]).toContain(
      'then.comment: unknown template variable "{{ usr }}" (known: user.username',
    );
    expect(problems('rules:\n  - name: r\n    on: issue\n    then: { comment: "hi {{ title" }\n')[0]).toContain('unbalanced "{{" or "}}"');
  });

  it('refuses invalid regular expressions, empty actions and comma label names', () => {
    expect(problems('rules:\n  - name: r\n    on: issue\n    if: { title: { matches: "(" } }\n    then: { close: true }\n')[0]).toContain(
      'if.title.matches: invalid regular expression',
    );
    expect(problems('rules:\n  - name: r\n    on: issue\n    then: {}\n')[0]).toContain('then: expected at least one of add_labels');
    expect(problems('rules:\n  - name: r\n    on: issue\n    then: { add_labels: ["a,b"] }\n')[0]).toContain('cannot contain commas');
  });

  it('refuses patterns RE2 cannot run, with the pattern, the offset of the construct and what to write instead', () => {
    const rule = (condition: string) => `rules:\n  - name: r\n    on: issue\n    if:\n      ${condition}\n    then: { close: true }\n`;
    expect(problems(rule(`title: { matches: '^fix(?=\\()' }`))).toEqual([
      'rules/x.yml:5: rule "r": if.title.matches: invalid regular expression "^fix(?=\\()": expected RE2 syntax, got a lookahead "(?=" at offset 4 ' +
        '(RE2 has no lookahead; match the text with two conditions instead)',
    ]);
    expect(problems(rule(`description: { matches: '(?<!not )ready', ignore_case: true }`))).toEqual([
      'rules/x.yml:5: rule "r": if.description.matches: invalid regular expression "(?<!not )ready": expected RE2 syntax, ' +
        'got a negative lookbehind "(?<!" at offset 0 (RE2 has no lookbehind; match the text with two conditions instead)',
    ]);
    expect(problems(rule(`not: { title: { matches: '^(\\w+) \\1$' } }`))).toEqual([
      'rules/x.yml:5: rule "r": if.not.title.matches: invalid regular expression "^(\\w+) \\1$": expected RE2 syntax, ' +
        'got a backreference "\\1" at offset 7 (backreferences are not supported: RE2 cannot match text against what a group captured)',
    ]);
  });

  it('refuses globs that are not globs rulebot runs, naming the glob', () => {
    expect(problems('rules:\n  - name: r\n    on: merge_request\n    if: { files: { any: ["docs/@(a|b).md"] } }\n    then: { close: true }\n')).toEqual([
      'rules/x.yml:4: rule "r": if.files.any[0]: invalid glob "docs/@(a|b).md": expected *, **, ?, [...] or {a,b}, got the extglob "@(" at offset 5 (write alternatives as {a,b})',
    ]);
  });

  it('accepts the pattern that stalled the event loop: RE2 runs it in linear time', () => {
    const [rule] = loadRules([{ path: 'r.yml', text: `rules:\n  - name: r\n    on: merge_request\n    if: { title: { matches: '^(\\w+\\s?)*:' } }\n    then: { close: true }\n` }]).rules;
    expect(rule?.when).toEqual({ title: { matches: '^(\\w+\\s?)*:' } });
  });

  it('refuses duplicate names across files and rules with nothing to act on', () => {
    const rule = (name: string, on: string) => `rules:\n  - name: ${name}\n    on: ${on}\n    then: { close: true }\n`;
    try {
      loadRules([
        { path: 'a.yml', text: rule('same', 'issue') },
        { path: 'b.yml', text: rule('same', 'issue') + rule('pushy', 'push').replace('rules:\n', '') },
      ]);
      throw new Error('expected a RuleConfigError');
    } catch (error) {
      expect((error as RuleConfigError).issues).toEqual([
        'b.yml: rule "same": name: expected a unique rule name, but another rule in a.yml has it too',
        'b.yml: rule "pushy": on: push events concern no merge request or issue, so "then" has nothing to act on',
      ]);
    }
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(problems('rules: [\n  a: b')[0]).toMatch(/^rules\/x\.yml:2: invalid YAML: /);
    expect(problems('rules:\n  - name: r\n    on: issue\n    on: note\n    then: { close: true }\n')[0]).toBe(
      'rules/x.yml:4: invalid YAML: Map keys must be unique',
    );
    expect(problems('rules:\n  - name: r\n    on: merge_request\n    if: { files: { any: [**/*.md] } }\n    then: { close: true }\n')[0]).toMatch(
      /^rules\/x\.yml: invalid YAML: Unresolved alias .*\(quote globs that start with "\*"\)$/,
    );
    expect(problems('')).toEqual(['rules/x.yml: expected a mapping with a "rules" list, got an empty file']);
  });

  it('collects the problems of every file in one error', () => {
    try {
      loadRules([
        { path: 'a.yml', text: 'rules: 3' },
        { path: 'b.yml', text: 'nope: []' },
      ]);
      throw new Error('expected a RuleConfigError');
    } catch (error) {
      expect((error as RuleConfigError).issues).toEqual([
        'a.yml:1: rules: expected a list of rules, got a number (3)',
        'b.yml:1: (top level): unknown key "nope" (expected one of: extends, projects, labels, rules)',
        'b.yml:1: rules: expected a list of rules, got nothing',
      ]);
    }
  });
});

describe('schedule rules', () => {
  const schedule = (extra: string) =>
    `rules:\n  - name: s\n    on: schedule\n    schedule: "0 6 * * *"\n    resource: issues\n    scope: { group: acme }\n${extra}    then: { add_labels: [x] }\n`;

  it('load with cron, resource, scope and limit', () => {
    const [rule] = loadRules([{ path: 'h.yml', text: schedule('    limit: 5\n') }]).rules;
    expect(rule?.schedule).toEqual({ cron: '0 6 * * *', resource: 'issues', scope: { group: 'acme' }, limit: 5 });
  });

  it('refuse a bad cron, missing keys, schedule keys on event rules and command-only actions', () => {
    expect(problems(schedule('').replace('0 6 * * *', '61 * * * *'))[0]).toMatch(/rule "s": schedule: expected a cron expression such as "0 6 \* \* \*": /);
    expect(problems('rules:\n  - name: s\n    on: schedule\n    then: { close: true }\n')).toEqual([
      'rules/x.yml:2: rule "s": schedule: expected schedule for a rule with on: schedule, got nothing',
      'rules/x.yml:2: rule "s": resource: expected resource for a rule with on: schedule, got nothing',
      'rules/x.yml:2: rule "s": scope: expected scope for a rule with on: schedule, got nothing',
    ]);
    expect(problems('rules:\n  - name: e\n    on: issue\n    limit: 3\n    then: { close: true }\n')[0]).toBe('rules/x.yml:4: rule "e": limit: only rules with on: schedule take limit');
    expect(problems(schedule('').replace('then: { add_labels: [x] }', 'then: { reply: hi }'))[0]).toContain(
      'then.reply: reply answers a comment, and a schedule rule has none (use comment)',
    );
  });

  it('refuse durations that are not durations', () => {
    expect(problems('rules:\n  - name: e\n    on: issue\n    if: { updated: { older_than: 30 days } }\n    then: { close: true }\n')[0]).toBe(
      'rules/x.yml:4: rule "e": if.updated.older_than: expected a duration such as 30d, 12h, 2w or 45m, got "30 days"',
    );
  });
});

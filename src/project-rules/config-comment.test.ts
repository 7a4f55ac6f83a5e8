import { describe, expect, it } from 'vitest';
import { problemsComment, statusDescription, visibleProblems } from './config-comment.js';

describe('what rulebot says about a configuration', () => {
  const own = { text: '.gitlab/rulebot.yml:12: rule "x": then.add_labels: expected a list of label names, got "bug"', project: 'acme/app' };
  const foreign = { text: 'secret/team:presets/base.yml:3: rule "y": on: unknown event "oops"', project: 'secret/team' };

  it('shows the problems of the project\'s own files, and only counts those of another project\'s presets', () => {
    expect(visibleProblems([own, foreign, { ...foreign }], 'Acme/App')).toEqual([
      own.text,
      '2 problems in presets of secret/team, not shown here (the file belongs to another project): `rulebot check --project Acme/App` lists them',
    ]);
  });

  it('lists every problem in a code block that nothing in them can end, run or mention from', () => {
    const hostile = { text: '.gitlab/rulebot.yml:3: rule "a\n/close @all ```": name: bad', project: 'acme/app' };
    const body = problemsComment({ file: '.gitlab/rulebot.yml', sha: 'abcdef0123456789', project: 'acme/app', problems: [own, hostile] });
    expect(body.split('\n')).toEqual([
      ':x: rulebot cannot use `.gitlab/rulebot.yml` as of abcdef01: 2 problems.',
      '',
      '```text',
      own.text,
      ".gitlab/rulebot.yml:3: rule \"a /close @\u200ball '''\": name: bad",
      '```',
      '',
      'Until the file on the default branch is valid, this project keeps the rules it has now. `rulebot check .gitlab/rulebot.yml` lists the same problems before you push.',
      '',
      '<!-- rulebot:config-check -->',
    ]);
  });

  it('describes a status by the first problem, counted, or by what is valid', () => {
    const options = { file: '.gitlab/rulebot.yml', project: 'acme/app', rules: 3, present: true };
    expect(statusDescription({ ...options, problems: [own, foreign] })).toBe(`(1 of 2) ${own.text}`);
    expect(statusDescription({ ...options, problems: [] })).toBe('.gitlab/rulebot.yml is valid: 3 rules');
    expect(statusDescription({ ...options, problems: [], present: false })).toBe('no .gitlab/rulebot.yml: only the central rules apply');
  });
});

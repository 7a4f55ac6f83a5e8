// The rulebot command line, run as a user would: `check` and `simulate`.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/runtime/node/cli/run.js';
import { FakeGitLab } from '../support/fake-gitlab.js';
import { BOT, diff, TOKEN } from '../support/harness.js';

async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const lines: string[] = [];
  const code = await runCli(args, env, (line) => lines.push(line));
  return { code, lines: lines.join('\n').split('\n') };
}

const KEYED = `rules:
  - name: checklist
    on: merge_request
    then:
      comment: { body: "Checklist: tests.", key: checklist }
`;

async function tempFiles(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rulebot-cli-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

describe('rulebot check', () => {
  it('accepts the shipped rules', async () => {
    expect(await cli(['check'])).toEqual({ code: 0, lines: ['rules: 5 rules in 2 files, all valid'] });
  });

  it('lists every problem and exits non-zero', async () => {
    const dir = await tempFiles({
      'a.yml': 'rules:\n  - name: x\n    on: merge_request.opened\n    then: { add_labels: [ok] }\n',
      'b.yaml': 'rules:\n  - name: y\n    on: issue\n    then: { comment: "{{ nope }}" }\n',
      'notes.txt': 'not a rule file',
    });
    const { code, lines } = await cli(['check', '--rules', dir]);
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/a\.yml:3: rule "x": on: unknown event "merge_request\.opened"/);
    expect(lines[1]).toMatch(/b\.yaml:4: rule "y": then\.comment: unknown template variable "\{\{ nope \}\}"/);
    expect(lines[2]).toBe('2 problems found');
  });

  it('says when the rules directory cannot be read', async () => {
    const { code, lines } = await cli(['check', '--rules', '/nonexistent/rules']);
    expect(code).toBe(1);
    expect(lines[0]).toBe('/nonexistent/rules: cannot read the rules directory (ENOENT); give a directory of *.yml rule files (RULES_DIR, or --rules on the command line)');
  });

  it('says so when the directory has no rule file', async () => {
    const dir = await tempFiles({ 'notes.txt': 'not a rule file' });
    const { code, lines } = await cli(['check', '--rules', dir]);
    expect(code).toBe(1);
    expect(lines).toEqual([`${dir}: no rule files here (rulebot reads *.yml and *.yaml files); try --rules rules or --rules examples/rules`]);
  });

  it('accepts the example rules the README names', async () => {
    expect(await cli(['check', '--rules', 'examples/rules'])).toEqual({ code: 0, lines: ['examples/rules: 3 rules in 1 file, all valid'] });
  });

  it('runs as the npm script from a checkout', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', '-s', 'rulebot', '--', 'check'], { env: { ...process.env, RULES_DIR: '' } });
    expect(stdout.trim()).toBe('rules: 5 rules in 2 files, all valid');
  });
});

describe('rulebot --help', () => {
  it('prints the usage of every command, and of one command', async () => {
    for (const flag of ['--help', '-h']) {
      const { code, lines } = await cli([flag]);
      expect(code).toBe(0);
      expect(lines[0]).toBe('usage: rulebot <command> [options]');
      expect(lines.join('\n')).toContain('schedule "<rule name>"');
    }
    const check = await cli(['check', '--help']);
    expect(check.code).toBe(0);
    expect(check.lines[0]).toBe('usage: rulebot check    [--rules DIR]                    validate rule files (default DIR: $RULES_DIR or ./rules)');
    expect(check.lines.join('\n')).toContain('check    --project GROUP/PROJECT [--ref REF]');
    expect(check.lines.join('\n')).not.toContain('simulate');
    const schedule = await cli(['schedule', '--help']);
    expect(schedule.code).toBe(0);
    expect(schedule.lines[0]).toBe('usage: rulebot schedule "<rule name>" [--dry-run] [--json] [--rules DIR]');
  });
});

describe('rulebot schedule from a fresh clone', () => {
  it('points to the example rules when the rules loaded have no schedule rule', async () => {
    const { code, lines } = await cli(['schedule', 'mark stale merge requests', '--dry-run'], { GITLAB_URL: 'https://gitlab.example.com' });
    expect(code).toBe(2);
    expect(lines[0]).toBe(
      'rulebot schedule: no schedule rule named "mark stale merge requests" in rules (schedule rules: none); the example schedule rules are in examples/rules: add --rules examples/rules',
    );
  });
});

describe('the README\'s schedule example', () => {
  it('runs from a checkout with --rules examples/rules, listing what it would touch and changing nothing', async () => {
    const gitlab = new FakeGitLab({ token: TOKEN, botUser: BOT });
    await gitlab.start();
    try {
      gitlab.addProject({ id: 42, path_with_namespace: 'acme/widgets' });
      const old = new Date(Date.now() - 40 * 86_400_000).toISOString();
      gitlab.addMergeRequest({ project_id: 42, iid: 7, labels: [], created_at: old, updated_at: old });
      gitlab.addMergeRequest({ project_id: 42, iid: 8, labels: [] });
      const { code, lines } = await cli(['schedule', 'mark stale merge requests', '--rules', 'examples/rules', '--dry-run'], { GITLAB_URL: gitlab.url, GITLAB_TOKEN: TOKEN });
      expect(code).toBe(0);
      expect(lines.join('\n')).toMatch(/would act on 1\b/);
      expect(gitlab.calls('PUT')).toEqual([]);
      expect(gitlab.calls('POST')).toEqual([]);
      expect(gitlab.mergeRequest(42, 7)?.labels).toEqual([]);
    } finally {
      await gitlab.stop();
    }
  });
});

describe('rulebot simulate', () => {
  it('prints the matched rules and the calls they would make, as JSON lines', async () => {
    const dir = await tempFiles({ 'diffs.json': JSON.stringify([diff('docs/guide.md', 2), diff('CHANGELOG.md', 1)]) });
    const { code, lines } = await cli([
      'simulate',
      '--event',
      'test/fixtures/merge_request.json',
      '--header',
      'Merge Request Hook',
      '--diffs',
      join(dir, 'diffs.json'),
    ]);
    expect(code).toBe(0);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { type: 'event', names: ['merge_request', 'merge_request.open'], project: 'gitlabhq/gitlab-test', iid: 1 },
      { type: 'match', rule: 'documentation label' },
      { type: 'call', method: 'PUT', path: '/projects/1/merge_requests/1', body: { add_labels: 'documentation' }, rules: ['documentation label'] },
    ]);
  });

  it('says which rules it could not decide without changed files', async () => {
    const { lines } = await cli(['simulate', '--event', 'test/fixtures/merge_request.json']);
    expect(lines.slice(1).map((line) => JSON.parse(line))).toEqual([
      { type: 'undecided', rule: 'documentation label', reason: expect.stringContaining('give') },
      { type: 'undecided', rule: 'large change', reason: expect.stringContaining('--diffs FILE') },
    ]);
  });

  it('prints each command of a note with its verdict and calls, through the same engine as the server', async () => {
    const note = JSON.parse(await readFile('test/fixtures/note_merge_request.json', 'utf8')) as { object_attributes: { note: string } };
    note.object_attributes.note = '@rulebot label bug\n@rulebot label wontfix\n@rulebot deploy';
    const dir = await tempFiles({
      'note.json': JSON.stringify(note),
      'commands.yml': 'rules:\n  - name: label\n    on: command.label\n    if: { args: { only: [bug] } }\n    then: { add_labels: ["{{ args }}"], react: thumbsup }\n',
    });
    const { code, lines } = await cli(['simulate', '--event', join(dir, 'note.json'), '--rules', dir, '--bot', 'rulebot']);
    expect(code).toBe(0);
    const printed = lines.slice(1).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(printed.filter((line) => line['type'] === 'command')).toEqual([
      { type: 'command', command: 'label', line: '@rulebot label bug', status: 'ran', reasons: [] },
      { type: 'command', command: 'label', line: '@rulebot label wontfix', status: 'refused', reasons: [expect.stringContaining('wontfix')] },
      { type: 'command', command: 'deploy', line: '@rulebot deploy', status: 'unknown', reasons: ['`deploy` is not a command here'] },
    ]);
    const calls = printed.filter((line) => line['type'] === 'call');
    expect(calls.map((call) => `${String(call['method'])} ${String(call['path'])}`)).toEqual([
      'PUT /projects/5/merge_requests/1',
      'POST /projects/5/merge_requests/1/notes',
      'POST /projects/5/merge_requests/1/notes/1244/award_emoji',
      'POST /projects/5/merge_requests/1/notes/1244/award_emoji',
    ]);
    expect(calls[0]).toMatchObject({ body: { add_labels: 'bug' }, command: 'label' });
    expect(calls[1]).toMatchObject({ reply: true, body: { body: expect.stringContaining('I did not run these commands') } });
    expect(calls.slice(2).map((call) => (call['body'] as { name: string }).name)).toEqual(['thumbsup', 'no_entry_sign']);
  });

  it('calls a command undecided, not refused, when only GitLab could tell the role, and answers nobody', async () => {
    const note = JSON.parse(await readFile('test/fixtures/note_merge_request.json', 'utf8')) as { object_attributes: { note: string } };
    note.object_attributes.note = '@rulebot label ~bug';
    const dir = await tempFiles({ 'note.json': JSON.stringify(note) });
    const { lines } = await cli(['simulate', '--event', join(dir, 'note.json'), '--bot', '@rulebot']);
    const printed = lines.slice(1).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(printed).toEqual([
      { type: 'command', command: 'label', line: '@rulebot label ~bug', status: 'undecided', reasons: ["could not check: the user's role was not looked up in GitLab: GITLAB_TOKEN is not set"] },
    ]);
  });

  it('says how to read commands when it does not know the bot user', async () => {
    const { lines } = await cli(['simulate', '--event', 'test/fixtures/note_merge_request.json']);
    expect(lines.map((line) => JSON.parse(line) as { type: string; message?: string }).at(-1)).toEqual({
      type: 'warning',
      message: 'commands are addressed to the bot by its username: set GITLAB_TOKEN, or give --bot USERNAME, to read them',
    });
  });

  it('shows the reads a rule costs, cheapest first, with a token', async () => {
    const gitlab = new FakeGitLab({ token: TOKEN, botUser: BOT });
    await gitlab.start();
    try {
      gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
      gitlab.addUser({ id: 6, username: 'carol' });
      gitlab.addMergeRequest({ project_id: 1, iid: 1, head_pipeline_status: 'success', approved_by: [6] });
      const dir = await tempFiles({
        'ready.yml': 'rules:\n  - name: ready\n    on: merge_request\n    if: { pipeline: { status: success }, approvals: approved }\n    then: { add_labels: [ready] }\n',
      });
      const { code, lines } = await cli(['simulate', '--event', 'test/fixtures/merge_request.json', '--rules', dir], {
        GITLAB_URL: gitlab.url,
        GITLAB_TOKEN: TOKEN,
      });
      expect(code).toBe(0);
      expect(lines.slice(1).map((line) => JSON.parse(line))).toEqual([
        // What the server reads too before the rules: whether the merge request changes the project's
        // own rule file (it targets the default branch), and that file (a project's first event).
        { type: 'read', call: 'GET /projects/1/merge_requests/1/diffs' },
        { type: 'read', call: 'GET /projects/gitlabhq%2Fgitlab-test/repository/files/.gitlab%2Frulebot.yml/raw' },
        { type: 'read', call: 'GET /projects/1/merge_requests/1' },
        { type: 'read', call: 'GET /projects/1/merge_requests/1/approvals' },
        { type: 'match', rule: 'ready' },
        { type: 'call', method: 'PUT', path: '/projects/1/merge_requests/1', body: { add_labels: 'ready' }, rules: ['ready'] },
      ]);
      expect(gitlab.calls('PUT')).toEqual([]);
    } finally {
      await gitlab.stop();
    }
  });

  it('shows what a keyed comment needs as GitLab holds it: the read, and nothing to send when the comment says this already', async () => {
    const gitlab = new FakeGitLab({ token: TOKEN, botUser: BOT });
    await gitlab.start();
    try {
      gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
      gitlab.addMergeRequest({ project_id: 1, iid: 1 });
      gitlab.addNote({ project_id: 1, noteable_type: 'MergeRequest', noteable_iid: 1, author_id: BOT.id, body: 'Checklist: tests.\n\n<!-- rulebot:comment:checklist -->' });
      const dir = await tempFiles({ 'sticky.yml': KEYED });
      const env = { GITLAB_URL: gitlab.url, GITLAB_TOKEN: TOKEN };
      const { code, lines } = await cli(['simulate', '--event', 'test/fixtures/merge_request.json', '--rules', dir], env);
      expect(code).toBe(0);
      const printed = lines.map((line) => JSON.parse(line));
      expect(printed).toContainEqual({ type: 'read', call: 'GET /projects/1/merge_requests/1/notes' });
      expect(printed.filter((line) => line.type === 'call')).toEqual([]);
      expect(printed).toContainEqual({ type: 'unchanged', message: expect.stringMatching(/^keyed comment "checklist" left alone: note \d+ already says this$/), rules: ['checklist'] });

      // Changed text: an edit of that note, not a second comment.
      const changed = await tempFiles({ 'sticky.yml': KEYED.replace('tests.', 'tests, docs.') });
      const edited = (await cli(['simulate', '--event', 'test/fixtures/merge_request.json', '--rules', changed], env)).lines.map((line) => JSON.parse(line));
      expect(edited.filter((line) => line.type === 'call')).toEqual([
        { type: 'call', method: 'PUT', path: expect.stringMatching(/^\/projects\/1\/merge_requests\/1\/notes\/\d+$/), body: { body: 'Checklist: tests, docs.\n\n<!-- rulebot:comment:checklist -->' }, rules: ['checklist'] },
      ]);
      expect(gitlab.calls('PUT')).toEqual([]);
      expect(gitlab.calls('POST')).toEqual([]);
    } finally {
      await gitlab.stop();
    }
  });

  it('calls a keyed comment undecided without a token, not a new comment', async () => {
    const dir = await tempFiles({ 'sticky.yml': KEYED });
    const printed = (await cli(['simulate', '--event', 'test/fixtures/merge_request.json', '--rules', dir])).lines.map((line) => JSON.parse(line));
    expect(printed.filter((line) => line.type === 'call')).toEqual([]);
    expect(printed).toContainEqual({
      type: 'undecided',
      rules: ['checklist'],
      reason: 'keyed comment "checklist": posted, edited or left alone depending on the comment already there, which was not read (GITLAB_TOKEN is not set)',
    });
  });

  it('shows the steps of a backport, each depending on GitLab, without a token', async () => {
    const event = JSON.parse(await readFile('test/fixtures/merge_request.json', 'utf8'));
    event.object_attributes = { ...event.object_attributes, action: 'merge', state: 'merged' };
    const dir = await tempFiles({
      'event.json': JSON.stringify(event),
      'backport.yml': 'rules:\n  - name: to stable\n    on: merge_request.merge\n    then: { backport: { to: stable } }\n',
    });
    const printed = (await cli(['simulate', '--event', join(dir, 'event.json'), '--rules', dir])).lines.map((line) => JSON.parse(line));
    const iid = event.object_attributes.iid;
    const branch = `backport-${iid}-to-stable`;
    expect(printed.filter((line) => line.type === 'call')).toEqual([
      { type: 'call', method: 'POST', path: '/projects/1/repository/branches', body: { branch, ref: 'stable' }, rules: ['to stable'], if: `the branch ${branch} does not exist yet` },
      { type: 'call', method: 'POST', path: `/projects/1/repository/commits/<merge commit of !${iid}>/cherry_pick`, body: { branch }, rules: ['to stable'], if: 'the branch has not moved on from stable' },
      { type: 'call', method: 'POST', path: '/projects/1/merge_requests', body: { source_branch: branch, target_branch: 'stable', title: `[stable] <title of !${iid}>`, remove_source_branch: true }, rules: ['to stable'], if: 'the cherry-pick succeeds' },
    ]);
  });

  it('accepts --header "Work Item Hook" for a work item event', async () => {
    const { lines } = await cli(['simulate', '--event', 'test/fixtures/work_item.json', '--header', 'Work Item Hook']);
    expect(lines.map((line) => JSON.parse(line)).filter((line) => line.type === 'warning')).toEqual([]);
  });

  it('warns when --header does not fit the event, and needs --event', async () => {
    const { lines } = await cli(['simulate', '--event', 'test/fixtures/push.json', '--header', 'Merge Request Hook']);
    expect(JSON.parse(lines[0]!)).toEqual({ type: 'warning', message: '--header "Merge Request Hook" expects object_kind "merge_request", the event has "push"' });
    expect((await cli(['simulate'])).code).toBe(2);
  });
});

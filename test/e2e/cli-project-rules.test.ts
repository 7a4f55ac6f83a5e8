// The command line with projects' own rule files and presets: `rulebot check FILE`, `check --project`, `simulate --project-config`.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/runtime/node/cli/run.js';
import { FakeGitLab } from '../support/fake-gitlab.js';
import { BOT, TOKEN } from '../support/harness.js';

const PRESET = 'rules:\n  - name: preset label\n    on: merge_request.open\n    then: { add_labels: [preset] }\n';
const OWN = 'extends: ["acme/bot-config:presets/base.yml"]\nrules:\n  - name: own label\n    on: merge_request.open\n    then: { add_labels: [own] }\n';
const BROKEN = 'rules:\n  - name: own label\n    on: merge_request.open\n    then:\n      add_labels: own\n';

let gitlab: FakeGitLab;
let dir: string;
beforeAll(async () => {
  gitlab = new FakeGitLab({ token: TOKEN, botUser: BOT });
  await gitlab.start();
  gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  gitlab.addProject({ id: 3, path_with_namespace: 'acme/bot-config' });
  gitlab.commitFiles(3, { files: { 'presets/base.yml': PRESET } });
  gitlab.commitFiles(1, { files: { '.gitlab/rulebot.yml': OWN } });
  gitlab.commitFiles(1, { branch: 'broken', files: { '.gitlab/rulebot.yml': BROKEN } });
  dir = await mkdtemp(join(tmpdir(), 'rulebot-cli-projects-'));
  await writeFile(join(dir, 'own.yml'), OWN);
  await writeFile(join(dir, 'broken.yml'), BROKEN);
  await writeFile(join(dir, 'org.yml'), 'extends: ["acme/bot-config:presets/base.yml"]\n');
});
afterAll(async () => gitlab.stop());

async function cli(args: string[], token = true) {
  const lines: string[] = [];
  const env = { GITLAB_URL: gitlab.url, ...(token && { GITLAB_TOKEN: TOKEN }) };
  const code = await runCli(args, env, (line) => lines.push(line));
  return { code, lines: lines.join('\n').split('\n') };
}

describe('rulebot check of a project\'s file', () => {
  it('checks a local file with the presets it extends, read with the token', async () => {
    expect(await cli(['check', join(dir, 'own.yml')])).toEqual({ code: 0, lines: [`${join(dir, 'own.yml')}: 2 rules (1 from 1 preset), all valid`] });
  });

  it('checks a local file without a token, saying which presets it could not read', async () => {
    expect(await cli(['check', join(dir, 'own.yml')], false)).toEqual({
      code: 0,
      lines: ['acme/bot-config:presets/base.yml: not read (GITLAB_TOKEN is not set), so its rules are not checked', `${join(dir, 'own.yml')}: 1 rule (0 from 1 preset), all valid`],
    });
  });

  it('names file, line, rule and field of each problem, and exits 1', async () => {
    expect(await cli(['check', join(dir, 'broken.yml')])).toEqual({
      code: 1,
      lines: [`${join(dir, 'broken.yml')}:5: rule "own label": then.add_labels: expected a list of label names, got "own"`, '1 problem found'],
    });
  });

  it('reads a project\'s file from GitLab, at its default branch or a ref', async () => {
    expect(await cli(['check', '--project', 'gitlabhq/gitlab-test'])).toEqual({
      code: 0,
      lines: ['gitlabhq/gitlab-test:.gitlab/rulebot.yml: 2 rules (1 from 1 preset), all valid'],
    });
    expect(await cli(['check', '--project', 'gitlabhq/gitlab-test', '--ref', 'broken'])).toEqual({
      code: 1,
      lines: ['.gitlab/rulebot.yml:5: rule "own label": then.add_labels: expected a list of label names, got "own"', '1 problem found'],
    });
    expect(await cli(['check', '--project', 'acme/bot-config'])).toEqual({ code: 1, lines: ['acme/bot-config:.gitlab/rulebot.yml: no such file (GitLab answered 404)'] });
    expect(await cli(['check', '--project', 'acme/bot-config'], false)).toEqual({
      code: 2,
      lines: ['rulebot check --project: reading acme/bot-config\'s .gitlab/rulebot.yml from GitLab needs GITLAB_TOKEN'],
    });
  });

  it('checks central rule files with their presets', async () => {
    const central = await mkdtemp(join(tmpdir(), 'rulebot-cli-central-'));
    await writeFile(join(central, 'org.yml'), 'extends: ["acme/bot-config:presets/base.yml"]\n');
    expect(await cli(['check', '--rules', central])).toEqual({ code: 0, lines: [`${central}: 1 rule in 1 file (1 from 1 preset), all valid`] });
  });
});

describe('rulebot simulate --project-config', () => {
  it('runs the event with the file as its project\'s own rules, beside the central ones', async () => {
    const rules = await mkdtemp(join(tmpdir(), 'rulebot-cli-rules-'));
    await writeFile(join(rules, 'none.yml'), 'rules: []\n');
    const { code, lines } = await cli(['simulate', '--event', 'test/fixtures/merge_request.json', '--rules', rules, '--project-config', join(dir, 'own.yml')], false);
    expect(code).toBe(0);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { type: 'event', names: ['merge_request', 'merge_request.open'], project: 'gitlabhq/gitlab-test', iid: 1 },
      { type: 'warning', message: 'acme/bot-config:presets/base.yml: not read (GITLAB_TOKEN is not set): its rules are left out' },
      { type: 'match', rule: 'own label' },
      { type: 'call', method: 'PUT', path: '/projects/1/merge_requests/1', body: { add_labels: 'own' }, rules: ['own label'] },
    ]);
    const broken = await cli(['simulate', '--event', 'test/fixtures/merge_request.json', '--rules', rules, '--project-config', join(dir, 'broken.yml')], false);
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.lines.at(-1)!)).toEqual({ type: 'problem', file: join(dir, 'broken.yml'), message: '.gitlab/rulebot.yml:5: rule "own label": then.add_labels: expected a list of label names, got "own"' });
  });
});

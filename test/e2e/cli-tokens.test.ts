// The command line with the credentials of a running rulebot: `rulebot hooks`, and a CI job token for what only reads.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/runtime/node/cli/run.js';
import { FakeGitLab } from '../support/fake-gitlab.js';
import { diff } from '../support/harness.js';

let gitlab: FakeGitLab;
let dir: string;
beforeEach(async () => {
  gitlab = new FakeGitLab({ token: 'glpat-cli' });
  await gitlab.start();
  gitlab.addGroup({ id: 9, full_path: 'gitlabhq' });
  gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  dir = await mkdtemp(join(tmpdir(), 'rulebot-cli-'));
});
afterEach(async () => {
  await gitlab.stop();
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string | undefined>) {
  const lines: string[] = [];
  const code = await runCli(args, { GITLAB_URL: gitlab.url, DATA_DIR: join(dir, 'data'), ...env }, (line) => lines.push(line));
  return { code, lines };
}

describe('rulebot hooks', () => {
  it('lists the hooks pointing at rulebot with the state GitLab gives them, and re-enables one', async () => {
    gitlab.addHook({ id: 3, project_id: 1, url: 'https://ci.example/hook' });
    gitlab.addHook({ id: 7, project_id: 1, url: 'https://rulebot.example/webhooks/gitlab', pipeline_events: true });
    gitlab.addHook({ id: 8, project_id: 1, url: 'https://rulebot-staging.example/webhooks/gitlab/' });
    gitlab.disableHook(8, 'permanently');
    const env = { GITLAB_TOKEN: 'glpat-cli', GITLAB_HOOK_ID: '7', GITLAB_HOOK_PROJECT: 'gitlabhq/gitlab-test' };
    expect(await cli(['hooks'], env)).toEqual({
      code: 0,
      lines: [
        '7  executable  https://rulebot.example/webhooks/gitlab  merge requests, issues, comments, pipelines  (watched: GITLAB_HOOK_ID)',
        '8  disabled (re-enable: rulebot hooks --enable 8)  https://rulebot-staging.example/webhooks/gitlab/  merge requests, issues, comments',
        '2 webhooks pointing at rulebot in project gitlabhq/gitlab-test (1 other; --all lists them)',
      ],
    });
    expect(gitlab.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /projects/gitlabhq%2Fgitlab-test/hooks']);

    // Its URL does not answer here: GitLab's test delivery fails, and the hook stays disabled.
    gitlab.setHookDelivery(async () => new Response('Bad Gateway', { status: 502 }));
    const failed = await cli(['hooks', '--project', '1', '--enable', '8'], env);
    expect(failed.code).toBe(1);
    expect(failed.lines[0]).toBe(
      "GitLab's test delivery from webhook 8 of project 1 to rulebot failed (POST /projects/1/hooks/8/test/resource_access_token_events: Bad Gateway): " +
        "check the hook's URL and secret token; it stays disabled until a delivery succeeds",
    );
    gitlab.setHookDelivery(async () => new Response('{}', { status: 202 }));
    expect(await cli(['hooks', '--project', '1', '--enable', '8'], env)).toEqual({ code: 0, lines: ["webhook 8 of project 1 re-enabled: GitLab's test delivery got a 2xx answer"] });
    expect(gitlab.hook(8)?.alert_status).toBe('executable');
  });

  it('says which place it needs', async () => {
    const { code, lines } = await cli(['hooks'], { GITLAB_TOKEN: 'glpat-cli' });
    expect(code).toBe(1);
    expect(lines).toEqual(['rulebot hooks: which hooks? give --project ID_OR_PATH or --group ID_OR_PATH (or set GITLAB_HOOK_PROJECT or GITLAB_HOOK_GROUP)']);
  });
});

describe('a CI job token', () => {
  it('works for simulate, which only reads', async () => {
    gitlab.addToken({ token: 'job-token-value', kind: 'job' });
    gitlab.addMergeRequest({ project_id: 1, iid: 1, diffs: [diff('docs/guide.md', 2)] });
    const { code, lines } = await cli(['simulate', '--event', 'test/fixtures/merge_request.json'], { GITLAB_TOKEN: 'job-token-value', GITLAB_TOKEN_TYPE: 'job' });
    expect(code).toBe(0);
    expect(lines.map((line) => JSON.parse(line))).toContainEqual({ type: 'match', rule: 'documentation label' });
    // A job token may not ask whose it is (GET /user), so rulebot does not; it reads what the server
    // would: the project's own rule file (none here: one 404) and the changed files.
    expect(gitlab.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'GET /projects/1/merge_requests/1/diffs',
      'GET /projects/gitlabhq%2Fgitlab-test/repository/files/.gitlab%2Frulebot.yml/raw',
    ]);
    for (const request of gitlab.requests) expect(request.headers['job-token']).toBe('job-token-value');
  });

  it('is refused for a schedule run that would write, and accepted for --dry-run', async () => {
    await writeFile(join(dir, 'stale.yml'), 'rules:\n  - name: stale\n    on: schedule\n    schedule: "0 6 * * *"\n    resource: merge_requests\n    scope: { project: "gitlabhq/gitlab-test" }\n    if: { updated: { older_than: 30d } }\n    then: { add_labels: [stale] }\n');
    gitlab.addToken({ token: 'job-token-value', kind: 'job' });
    const env = { GITLAB_TOKEN: 'job-token-value', GITLAB_TOKEN_TYPE: 'job', RULES_DIR: dir };
    const refused = await cli(['schedule', 'stale'], env);
    expect(refused.code).toBe(1);
    expect(refused.lines[0]).toMatch(/^rulebot schedule: invalid configuration: GITLAB_TOKEN_TYPE=job: a CI\/CD job token cannot do what rulebot does/);
    const dryRun = await cli(['schedule', 'stale', '--dry-run', '--rules', dir], env);
    expect(dryRun.code).toBe(0);
    expect(dryRun.lines.at(-1)).toMatch(/^stale: scanned 0, matched 0, would act on 0/);
  });
});

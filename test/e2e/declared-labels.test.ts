// End to end: labels declared in rule files exist, with their colors, before an action adds them; `rulebot labels sync` makes them.
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/runtime/node/cli/run.js';
import { mergeRequestPayload } from '../support/events.js';
import { FakeGitLab } from '../support/fake-gitlab.js';
import { BOT, TOKEN, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RULES = `labels:
  - { name: "needs-review", color: "#d9534f", description: "Waiting for a reviewer" }
  - { name: "triaged", color: "#5cb85c", description: "Someone looked at it" }
rules:
  - name: review
    on: merge_request.open
    then:
      add_labels: [needs-review, triaged, undeclared]
`;

describe.each(RUNTIMES)('declared labels ($name)', (runtime) => {
  let h: Harness;
  afterEach(async () => h.close());

  it('creates a missing declared label with its color before adding it, once per project', async () => {
    h = await runtime.start({ rules: { 'labels.yml': RULES } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addGroup({ id: 3, full_path: 'gitlabhq' });
    h.gitlab.defineLabel('group:3', 'triaged', '#5cb85c');
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1 });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 2 });

    await h.post(mergeRequestPayload({ action: 'open', labels: [] }));
    await h.settle();
    expect(h.callLines()).toEqual([
      'GET /projects/1/labels/needs-review',
      'POST /projects/1/labels',
      'GET /projects/1/labels/triaged',
      'PUT /projects/1/merge_requests/1',
    ]);
    expect(h.gitlab.definedLabels('project:1')).toEqual([{ id: expect.any(Number), name: 'needs-review', color: '#d9534f', description: 'Waiting for a reviewer' }]);
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['needs-review', 'triaged', 'undeclared']);

    // Known to exist now: the next merge request costs its PUT alone.
    h.gitlab.clearRequests();
    await h.post(mergeRequestPayload({ action: 'open', iid: 2, labels: [] }));
    await h.settle();
    expect(h.callLines()).toEqual(['PUT /projects/1/merge_requests/2']);
  });
});

describe('rulebot labels sync', () => {
  it('creates missing labels and updates colors, and changes nothing with --dry-run', async () => {
    const gitlab = new FakeGitLab({ token: TOKEN, botUser: BOT });
    await gitlab.start();
    try {
      gitlab.addProject({ id: 1, path_with_namespace: 'acme/widgets' });
      gitlab.defineLabel('project:1', 'triaged', '#000000');
      const dir = await mkdtemp(join(tmpdir(), 'rulebot-labels-'));
      await writeFile(join(dir, 'labels.yml'), RULES);
      const env = { GITLAB_URL: gitlab.url, GITLAB_TOKEN: TOKEN };
      const run = async (...args: string[]) => {
        const lines: string[] = [];
        const code = await runCli(['labels', 'sync', '--rules', dir, ...args], env, (line) => lines.push(line));
        return { code, lines };
      };

      expect(await run('--project', 'acme/widgets', '--dry-run')).toEqual({
        code: 0,
        lines: [
          'would create ~"needs-review" (#d9534f) in project acme/widgets',
          'would update ~"triaged" in project acme/widgets: color #000000 → #5cb85c, description "" → "Someone looked at it"',
          'labels: 1 to create, 1 to update, 0 already right (dry run: nothing changed)',
        ],
      });
      expect(gitlab.calls('POST')).toEqual([]);
      expect((await run('--project', 'acme/widgets')).code).toBe(0);
      expect(gitlab.definedLabels('project:1').map(({ name, color }) => [name, color])).toEqual([['triaged', '#5cb85c'], ['needs-review', '#d9534f']]);
      expect((await run('--project', 'acme/widgets')).lines.at(-1)).toBe('labels: 0 to create, 0 to update, 2 already right');
      expect((await run()).code).toBe(2);
    } finally {
      await gitlab.stop();
    }
  });
});

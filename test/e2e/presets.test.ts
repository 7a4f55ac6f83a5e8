// End to end, on Node and on the Worker: presets extended by the central rule files, schedule rules in a
// project's own file, and the size bound on what rulebot reads from a repository.
import { afterEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload, pushPayload } from '../support/events.js';
import { startHarness, type Harness, type HarnessOptions } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const FILE = '.gitlab/rulebot.yml';
const PRESET = 'GET /projects/acme%2Fbot-config/repository/files/presets%2Fbase.yml/raw';
const labelRule = (name: string, label: string) => `  - name: ${name}\n    on: [merge_request.open, merge_request.update]\n    then: { add_labels: [${label}] }\n`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function mergeRequest(projectId: number, path: string, options: Parameters<typeof mergeRequestPayload>[0] = {}) {
  const payload = mergeRequestPayload({ projectId, path, targetBranch: 'main', labels: [], ...options });
  payload['project']['default_branch'] = 'main';
  Object.assign(payload['object_attributes'], { source_project_id: projectId, target_project_id: projectId });
  return payload;
}

function projects(gitlab: Harness['gitlab']) {
  for (const [id, path] of [[1, 'acme/app'], [2, 'acme/web'], [3, 'acme/bot-config']] as const) gitlab.addProject({ id, path_with_namespace: path });
}

describe.each(RUNTIMES)('presets and project schedules ($name)', (runtime) => {
  async function start(options: HarnessOptions) {
    h = await runtime.start(options);
    if (!options.seed) projects(h.gitlab);
    return h;
  }

  it('reads the central rule files\' preset once, and again after a push to the preset\'s project changes it', async () => {
    // Read when rulebot starts (it refuses to start if they are invalid), and kept.
    const h = await start({
      rules: { 'org.yml': `extends: ["acme/bot-config:presets/base.yml"]\nrules:\n${labelRule('central', 'central')}` },
      seed: (gitlab) => {
        projects(gitlab);
        gitlab.commitFiles(3, { files: { 'presets/base.yml': `rules:\n${labelRule('org label', 'org')}` } });
      },
    });
    h.gitlab.addMergeRequest({ project_id: 2, iid: 1, labels: [] });
    await h.post(mergeRequest(2, 'acme/web'));
    await h.settle();
    // On Node the preset was read at start; the Worker reads it with its first event.
    expect(h.callLines()).toEqual([...(h.runtime === 'worker' ? [PRESET] : []), 'PUT /projects/2/merge_requests/1']);
    expect(h.gitlab.mergeRequest(2, 1)?.labels).toEqual(['org', 'central']);

    h.gitlab.clearRequests();
    await h.post(mergeRequest(2, 'acme/web', { action: 'update', labels: ['org', 'central'] }));
    await h.settle();
    expect(h.callLines()).toEqual([]);

    const change = h.gitlab.commitFiles(3, { files: { 'presets/base.yml': `rules:\n${labelRule('org label', 'org-v2')}` } });
    await h.post(pushPayload({ projectId: 3, path: 'acme/bot-config', commits: [change] }), { 'x-gitlab-event': 'Push Hook' });
    await h.settle();
    expect(h.callLines()).toEqual([]);
    await h.post(mergeRequest(2, 'acme/web', { action: 'update', labels: ['org', 'central'] }));
    await h.settle();
    expect(h.callLines()).toEqual([PRESET, 'PUT /projects/2/merge_requests/1']);
    expect(h.gitlab.mergeRequest(2, 1)?.labels).toEqual(['org', 'central', 'org-v2']);
  });

  it('runs a project\'s schedule rule over that project only, once its file is known', async () => {
    const h = await start({ rules: { 'none.yml': 'rules: []\n' }, env: { PROJECT_CONFIG_FILE: FILE } });
    const sweep = `rules:
  - name: sweep
    on: schedule
    schedule: "*/5 * * * *"
    resource: merge_requests
    if: { labels: { none: [swept] } }
    then: { add_labels: [swept] }
`;
    h.gitlab.commitFiles(1, { files: { [FILE]: sweep } });
    for (const project of [1, 2]) for (const iid of [1, 2]) h.gitlab.addMergeRequest({ project_id: project, iid, labels: [] });
    // The file is read with the project's first event; from then on its schedule rules run.
    await h.post(mergeRequest(1, 'acme/app', { action: 'update' }));
    await h.settle();
    await h.cron();
    expect([1, 2].map((iid) => h.gitlab.mergeRequest(1, iid)?.labels)).toEqual([['swept'], ['swept']]);
    expect([1, 2].map((iid) => h.gitlab.mergeRequest(2, iid)?.labels)).toEqual([[], []]);
    expect(h.gitlab.calls('GET', /merge_requests$/).map((r) => r.path)).toEqual(['/projects/1/merge_requests']);
  });

  it('does not read a file larger than 32 KiB: the push\'s commit fails and the last valid rules stay', async () => {
    const h = await start({ rules: { 'none.yml': 'rules: []\n' }, env: { PROJECT_CONFIG_FILE: FILE } });
    h.gitlab.commitFiles(1, { files: { [FILE]: `rules:\n${labelRule('app', 'app')}` } });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [] });
    await h.post(mergeRequest(1, 'acme/app', { action: 'update' }));
    await h.settle();

    const huge = h.gitlab.commitFiles(1, { files: { [FILE]: `rules:\n${labelRule('app', 'app')}${'#'.repeat(70_000)}\n` } });
    await h.post(pushPayload({ projectId: 1, path: 'acme/app', commits: [huge] }), { 'x-gitlab-event': 'Push Hook' });
    await h.settle();
    // The push's commit is the last one known to have changed the file: GitLab did not say (the file was not read).
    expect(h.gitlab.commitStatuses(1, huge.id)).toMatchObject([
      { status: 'failed', description: expect.stringMatching(/^\.gitlab\/rulebot\.yml: the file holds 70\d{3} bytes, more than the 32768 rulebot reads$/) },
    ]);
    h.gitlab.clearRequests();
    await h.post(mergeRequest(1, 'acme/app', { action: 'update', labels: [] }));
    await h.settle();
    expect(h.callLines()).toEqual(['PUT /projects/1/merge_requests/1']);
  });
});

describe('the last valid rules after a restart (Node)', () => {
  it('are kept in DATA_DIR: a restarted rulebot uses them without reading the invalid file again', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const data = join(await mkdtemp(join(tmpdir(), 'rulebot-restart-')), 'data');
    const options: HarnessOptions = { rules: { 'none.yml': 'rules: []\n' }, env: { PROJECT_CONFIG_FILE: FILE, DATA_DIR: data } };
    const broken = `rules:\n  - name: app\n    on: merge_request.update\n    then: { add_labels: nope }\n`;

    h = await startHarness(options);
    projects(h.gitlab);
    h.gitlab.commitFiles(1, { files: { [FILE]: `rules:\n${labelRule('app', 'app')}` } });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [] });
    await h.post(mergeRequest(1, 'acme/app', { action: 'update' }));
    await h.settle();
    const change = h.gitlab.commitFiles(1, { files: { [FILE]: broken } });
    await h.post(pushPayload({ projectId: 1, path: 'acme/app', commits: [change] }), { 'x-gitlab-event': 'Push Hook' });
    await h.settle();
    expect(h.gitlab.commitStatuses(1, change.id)).toMatchObject([{ status: 'failed' }]);
    await h.close();

    h = await startHarness(options);
    projects(h.gitlab);
    h.gitlab.commitFiles(1, { files: { [FILE]: broken } });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [] });
    await h.post(mergeRequest(1, 'acme/app', { action: 'update' }));
    await h.settle();
    expect(h.callLines()).toEqual(['PUT /projects/1/merge_requests/1']);
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['app']);
    expect((await h.status()).rules.invalid).toMatchObject([{ project: 'acme/app', in_force: 'the last valid configuration' }]);
  });
});

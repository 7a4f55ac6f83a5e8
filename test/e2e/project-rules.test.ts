// End to end, on Node and on the Worker: rules kept in each project's .gitlab/rulebot.yml, with a preset
// from another project, beside the central rules; read once, changed by a push, kept valid, checked on
// the merge request that changes them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload, pushPayload } from '../support/events.js';
import type { Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const FILE = '.gitlab/rulebot.yml';
const RAW = (project: string, ref?: string) => `GET /projects/${project.replace('/', '%2F')}/repository/files/.gitlab%2Frulebot.yml/raw${ref ? `@${ref}` : ''}`;

const CENTRAL = `rules:
  - name: central label
    on: merge_request.open
    then: { add_labels: [central] }
`;
const PRESET = `rules:
  - name: preset label
    on: [merge_request.open, merge_request.update]
    then: { add_labels: [preset] }
`;
const APP_RULES = (label: string) => `# yaml-language-server: $schema=https://example.com/rulebot.schema.json
extends: ["acme/bot-config:presets/base.yml"]
rules:
  - name: app label
    on: [merge_request.open, merge_request.update]
    then: { add_labels: [${label}] }
`;
const BROKEN = `extends: ["acme/bot-config:presets/base.yml"]
rules:
  - name: app label
    on: merge_request.open
    then:
      add_labels: app
`;

let h: Harness;

/** acme/app (1) with its own rules extending a preset of acme/bot-config (3); acme/web (2) with none. */
function seed() {
  for (const [id, path] of [[1, 'acme/app'], [2, 'acme/web'], [3, 'acme/bot-config']] as const) h.gitlab.addProject({ id, path_with_namespace: path });
  h.gitlab.commitFiles(3, { files: { 'presets/base.yml': PRESET } });
  const first = h.gitlab.commitFiles(1, { files: { [FILE]: APP_RULES('app'), 'README.md': 'app' } });
  h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [] });
  h.gitlab.addMergeRequest({ project_id: 2, iid: 1, labels: [] });
  return first;
}

/** A merge request event of one of the seeded projects, whose default branch is `main`. */
function mergeRequest(projectId: number, path: string, options: Parameters<typeof mergeRequestPayload>[0] = {}) {
  const payload = mergeRequestPayload({ projectId, path, targetBranch: 'main', labels: [], ...options });
  payload['project']['default_branch'] = 'main';
  Object.assign(payload['object_attributes'], { source_project_id: projectId, target_project_id: projectId });
  return payload;
}

/** Without the raw reads' query: the path and the ref asked for, as `…/raw@ref`. */
function calls(): string[] {
  return h.gitlab.requests.map((r) => `${r.method} ${r.path}${r.path.endsWith('/raw') && r.query['ref'] ? `@${r.query['ref']}` : ''}`);
}

describe.each(RUNTIMES)('rules in a project\'s .gitlab/rulebot.yml ($name)', (runtime) => {
  beforeEach(async () => {
    h = await runtime.start({ rules: { 'central.yml': CENTRAL }, env: { PROJECT_CONFIG_FILE: FILE } });
  });
  afterEach(async () => h.close());

  it('fires the project\'s rules, its preset\'s and the central ones on one event; another project sees none of them; nothing is read twice', async () => {
    seed();
    await h.post(mergeRequest(1, 'acme/app'));
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['central', 'preset', 'app']);
    expect(calls()).toEqual([
      // Does this merge request change the rules? Its changed files say (read once per version, shared with `files` rules).
      'GET /projects/1/merge_requests/1/diffs',
      RAW('acme/app'),
      'GET /projects/acme%2Fbot-config/repository/files/presets%2Fbase.yml/raw',
      'PUT /projects/1/merge_requests/1',
    ]);

    h.gitlab.clearRequests();
    await h.post(mergeRequest(2, 'acme/web'));
    await h.settle();
    // One 404 for a project without the file; only the central rule applies there.
    expect(calls()).toEqual(['GET /projects/2/merge_requests/1/diffs', RAW('acme/web'), 'PUT /projects/2/merge_requests/1']);
    expect(h.gitlab.mergeRequest(2, 1)?.labels).toEqual(['central']);

    // Cached: later events of both projects read nothing.
    h.gitlab.clearRequests();
    await h.post(mergeRequest(1, 'acme/app', { action: 'update', labels: ['central', 'preset', 'app'] }));
    await h.post(mergeRequest(2, 'acme/web', { action: 'update', labels: ['central'] }));
    await h.settle();
    expect(calls()).toEqual([]);
  });

  it('uses a file changed by a push on the next event, and sets rulebot/config on the commit that changed it', async () => {
    seed();
    await h.post(mergeRequest(1, 'acme/app'));
    await h.settle();
    h.gitlab.clearRequests();

    const change = h.gitlab.commitFiles(1, { files: { [FILE]: APP_RULES('app-v2') } });
    const unrelated = h.gitlab.commitFiles(1, { files: { 'README.md': 'more' } });
    await h.post(pushPayload({ projectId: 1, path: 'acme/app', commits: [change, unrelated] }), { 'x-gitlab-event': 'Push Hook' });
    await h.settle();
    // Read again at once (the preset is still fresh), and the verdict goes on the commit that changed the file.
    expect(calls()).toEqual([RAW('acme/app'), `POST /projects/1/statuses/${change.id}`]);
    expect(h.gitlab.commitStatuses(1)).toMatchObject([{ sha: change.id, ref: 'main', status: 'success', name: 'rulebot/config', description: `${FILE} is valid: 2 rules` }]);

    h.gitlab.clearRequests();
    await h.post(mergeRequest(1, 'acme/app', { action: 'update', labels: ['central', 'preset', 'app'] }));
    await h.settle();
    expect(calls()).toEqual(['PUT /projects/1/merge_requests/1']);
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['central', 'preset', 'app', 'app-v2']);

    // A push that does not touch the file changes nothing and reads nothing.
    h.gitlab.clearRequests();
    await h.post(pushPayload({ projectId: 1, path: 'acme/app', commits: [h.gitlab.commitFiles(1, { files: { 'README.md': 'again' } })] }), { 'x-gitlab-event': 'Push Hook' });
    await h.settle();
    expect(calls()).toEqual([]);
  });

  it('keeps the last valid rules when the default branch\'s file becomes invalid, fails the commit, and lists the project in /status', async () => {
    seed();
    await h.post(mergeRequest(1, 'acme/app'));
    await h.settle();

    const broken = h.gitlab.commitFiles(1, { files: { [FILE]: BROKEN } });
    await h.post(pushPayload({ projectId: 1, path: 'acme/app', commits: [broken] }), { 'x-gitlab-event': 'Push Hook' });
    await h.settle();
    const problem = `${FILE}:6: rule "app label": then.add_labels: expected a list of label names, got "app"`;
    expect(h.gitlab.commitStatuses(1, broken.id)).toMatchObject([{ status: 'failed', name: 'rulebot/config', description: problem }]);
    const { rules } = await h.status();
    expect(rules).toMatchObject({
      file: FILE,
      invalid: [{ project: 'acme/app', project_id: 1, problems: [problem], commit: broken.id, in_force: 'the last valid configuration' }],
    });

    // The project keeps its last valid rules (and its preset's), reading nothing.
    h.gitlab.clearRequests();
    h.gitlab.addMergeRequest({ project_id: 1, iid: 2, labels: [] });
    await h.post(mergeRequest(1, 'acme/app', { iid: 2 }));
    await h.settle();
    expect(calls()).toEqual(['GET /projects/1/merge_requests/2/diffs', 'PUT /projects/1/merge_requests/2']);
    expect(h.gitlab.mergeRequest(1, 2)?.labels).toEqual(['central', 'preset', 'app']);
  });

  it('checks a merge request that brings an invalid file: a failed rulebot/config status and one comment, edited on later pushes; a valid file gets success', async () => {
    seed();
    const bad = h.gitlab.commitFiles(1, { branch: 'fix-rules', files: { [FILE]: BROKEN } });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 3, labels: [], source_branch: 'fix-rules', sha: bad.id, diffs: [{ old_path: FILE, new_path: FILE, diff: '@@ -1 +1 @@\n-a\n+b\n' }] });
    const opened = mergeRequest(1, 'acme/app', { iid: 3, sha: bad.id, sourceBranch: 'fix-rules' });
    await h.post(opened);
    await h.settle();
    expect(calls()).toEqual([
      'GET /projects/1/merge_requests/3/diffs',
      // A file the schema refuses does not get as far as reading its presets.
      RAW('acme/app', bad.id),
      `POST /projects/1/statuses/${bad.id}`,
      'POST /projects/1/merge_requests/3/notes',
      // The merge request's own rules come from the default branch's file: read, then applied.
      RAW('acme/app'),
      'GET /projects/acme%2Fbot-config/repository/files/presets%2Fbase.yml/raw',
      'PUT /projects/1/merge_requests/3',
    ]);
    const problem = `${FILE}:6: rule "app label": then.add_labels: expected a list of label names, got "app"`;
    expect(h.gitlab.commitStatuses(1, bad.id)).toMatchObject([{ status: 'failed', ref: 'fix-rules', name: 'rulebot/config', description: problem }]);
    const [note] = h.gitlab.notes(1, 'MergeRequest', 3);
    expect(note?.body).toContain(`:x: rulebot cannot use \`${FILE}\` as of ${bad.id.slice(0, 8)}: 1 problem.`);
    expect(note?.body).toContain(`\`\`\`text\n${problem}\n\`\`\``);

    // Still invalid after another push: the same comment is edited, not repeated.
    const worse = h.gitlab.commitFiles(1, { branch: 'fix-rules', files: { [FILE]: BROKEN.replace('on: merge_request.open', 'on: merge_request.opened') } });
    await h.post(mergeRequest(1, 'acme/app', { iid: 3, sha: worse.id, sourceBranch: 'fix-rules', action: 'update' }), {});
    await h.settle();
    expect(h.gitlab.commitStatuses(1, worse.id)).toEqual([]); // no new commits in the payload: not checked
    const updated = mergeRequest(1, 'acme/app', { iid: 3, sha: worse.id, sourceBranch: 'fix-rules', action: 'update' });
    updated['object_attributes']['oldrev'] = bad.id;
    h.gitlab.clearRequests();
    await h.post(updated);
    await h.settle();
    expect(h.gitlab.commitStatuses(1, worse.id)).toMatchObject([{ status: 'failed', description: expect.stringMatching(/^\(1 of 2\) \.gitlab\/rulebot\.yml:4: rule "app label": on: unknown event "merge_request\.opened"/) }]);
    expect(calls()).toContain(`PUT /projects/1/merge_requests/3/notes/${note!.id}`);
    expect(h.gitlab.notes(1, 'MergeRequest', 3)).toHaveLength(1);
    expect(h.gitlab.notes(1, 'MergeRequest', 3)[0]?.body).toContain('2 problems');

    // Fixed: success, and the comment says so.
    const fixed = h.gitlab.commitFiles(1, { branch: 'fix-rules', files: { [FILE]: APP_RULES('app') } });
    const again = mergeRequest(1, 'acme/app', { iid: 3, sha: fixed.id, sourceBranch: 'fix-rules', action: 'update' });
    again['object_attributes']['oldrev'] = worse.id;
    await h.post(again);
    await h.settle();
    expect(h.gitlab.commitStatuses(1, fixed.id)).toMatchObject([{ status: 'success', description: `${FILE} is valid: 2 rules` }]);
    expect(h.gitlab.notes(1, 'MergeRequest', 3)).toHaveLength(1);
    expect(h.gitlab.notes(1, 'MergeRequest', 3)[0]?.body).toContain(`:white_check_mark: \`${FILE}\` is valid as of ${fixed.id.slice(0, 8)}`);
  });

  it('gives a valid file a success status and no comment, and leaves merge requests that do not touch it alone', async () => {
    seed();
    const good = h.gitlab.commitFiles(1, { branch: 'more-rules', files: { [FILE]: APP_RULES('more') } });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 4, labels: [], source_branch: 'more-rules', sha: good.id, diffs: [{ old_path: FILE, new_path: FILE, diff: '+x\n' }] });
    await h.post(mergeRequest(1, 'acme/app', { iid: 4, sha: good.id, sourceBranch: 'more-rules' }));
    await h.settle();
    expect(h.gitlab.commitStatuses(1, good.id)).toMatchObject([{ status: 'success', ref: 'more-rules', description: `${FILE} is valid: 2 rules` }]);
    expect(h.gitlab.notes(1, 'MergeRequest', 4)).toEqual([]);

    h.gitlab.clearRequests();
    h.gitlab.addMergeRequest({ project_id: 1, iid: 5, labels: [], diffs: [{ old_path: 'src/a.ts', new_path: 'src/a.ts', diff: '+x\n' }] });
    await h.post(mergeRequest(1, 'acme/app', { iid: 5 }));
    await h.settle();
    expect(calls()).toEqual(['GET /projects/1/merge_requests/5/diffs', 'PUT /projects/1/merge_requests/5']);
  });
});

describe('a config-check comment whose answer was lost (Node)', () => {
  afterEach(async () => h.close());

  it('is found again by its marker on the retry, and edited rather than posted twice', async () => {
    const { startHarness } = await import('../support/harness.js');
    h = await startHarness({ rules: { 'central.yml': CENTRAL }, env: { PROJECT_CONFIG_FILE: FILE } });
    seed();
    const bad = h.gitlab.commitFiles(1, { branch: 'fix-rules', files: { [FILE]: BROKEN } });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 3, labels: [], source_branch: 'fix-rules', sha: bad.id, diffs: [{ old_path: FILE, new_path: FILE, diff: '+x\n' }] });
    // GitLab makes the comment, but answers after rulebot stopped waiting (1 s in the harness).
    h.gitlab.inject({ method: 'POST', path: '/projects/1/merge_requests/3/notes', delayMs: 1_500 });
    await h.post(mergeRequest(1, 'acme/app', { iid: 3, sha: bad.id, sourceBranch: 'fix-rules' }));
    await h.settle();
    const notes = h.gitlab.notes(1, 'MergeRequest', 3);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.body).toContain('rulebot cannot use');
    expect(h.gitlab.calls('POST', /\/notes$/)).toHaveLength(1);
    expect(h.gitlab.calls('PUT', /\/notes\/\d+$/)).toHaveLength(1);
  });
});

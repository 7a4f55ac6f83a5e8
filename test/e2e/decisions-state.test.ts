// End to end: decision records, metrics and refusals for the conditions and actions of issue 13 (approvals, pipeline, milestone, keyed comments, …), on both runtimes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload, notePayload, withoutMarker } from '../support/events.js';
import { BOT, SECRET, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const RULES = `rules:
  - name: ready to merge
    on: merge_request.update
    if:
      pipeline: { status: success }
      approvals: { count: { at_least: 2 } }
    then:
      add_labels: [can-merge]

  - name: plan it
    on: merge_request.update
    if:
      milestone: { none: true }
    then:
      milestone: "17.0"
      lock_discussion: true
      comment: { body: "Planned for 17.0.", key: plan }

  - name: ship
    on: command.ship
    if: { on_mr: true, user: { access: developer }, pipeline: { status: success }, threads: { unresolved: { at_most: 0 } } }
    then: { auto_merge: true, react: rocket }
`;

const DEV = { id: 30, username: 'dev' };
const auth = { authorization: `Bearer ${SECRET}` };
let h: Harness;

async function record(id: string): Promise<any> {
  const response = await h.fetch(`/api/events/${id}`, { headers: auth });
  expect(response.status).toBe(200);
  return response.json();
}

/** `/metrics` once it shows `line`: on Workers each invocation adds its counts to the store object as it ends. */
async function metricsShowing(line: string): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = await (await h.fetch('/metrics', { headers: auth })).text();
    if (text.split('\n').includes(line) || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(RUNTIMES)('decision records of the conditions on GitLab state ($name)', (runtime) => {
  beforeEach(async () => {
    h = await runtime.start({ rules: { 'state.yml': RULES } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    for (const user of [{ id: 1, username: 'root' }, { id: 7, username: 'alice' }, DEV]) h.gitlab.addUser(user);
    h.gitlab.addMember(1, { user_id: DEV.id, access_level: 30 });
    h.gitlab.addMilestone(1, '17.0');
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [], head_pipeline_status: 'success', approved_by: [7] });
    h.gitlab.addNote({ id: 1244, project_id: 1, noteable_type: 'MergeRequest', noteable_iid: 1, body: 'x', author_id: DEV.id });
  });
  afterEach(async () => h.close());

  it('names the approval count that failed, lists the new actions\' calls and counts the rule that fired', async () => {
    expect((await h.post(mergeRequestPayload({ action: 'update', labels: [] }), { 'idempotency-key': 'update-1' })).status).toBe(202);
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)).toMatchObject({ labels: [], milestone: '17.0', discussion_locked: true });

    const body = await record('update-1');
    expect(body.rules).toEqual([
      {
        name: 'ready to merge',
        source: expect.stringMatching(/state\.yml:2$/),
        fired: false,
        reason: 'approvals.count.at_least: expected at least 2 approvals, found 1 approval',
        condition: 'approvals.count.at_least',
        expected: 'at least 2 approvals',
        found: '1 approval',
        undecided: false,
      },
      { name: 'plan it', source: expect.stringMatching(/state\.yml:10$/), fired: true, reason: null, condition: null, expected: null, found: null, undecided: false },
    ]);
    // Every read and write of the new conditions and actions is in the record, as GitLab answered it.
    const calls = body.calls.map((call: any) => `${call.method} ${call.path.split('?')[0]} ${call.status}`);
    expect(calls).toEqual(h.callLines().map((line, i) => `${line.split('?')[0]} ${body.calls[i].status}`));
    expect(calls).toEqual([
      'GET /projects/1/merge_requests/1 200',
      'GET /projects/1/merge_requests/1/approvals 200',
      'GET /projects/1/milestones 200',
      'PUT /projects/1/merge_requests/1 200',
      // The keyed comment is looked for among rulebot's notes, then posted.
      'GET /projects/1/merge_requests/1/notes 200',
      'POST /projects/1/merge_requests/1/notes 201',
    ]);
    expect(body.planned).toEqual([
      { kind: 'edit', method: 'PUT', path: '/projects/1/merge_requests/1', rules: ['plan it'] },
      { kind: 'sticky', method: 'POST', path: '/projects/1/merge_requests/1/notes', rules: ['plan it'] },
    ]);

    const metrics = await metricsShowing('rulebot_rule_fired_total{rule="plan it"} 1');
    expect(metrics.split('\n')).toContain('rulebot_rule_fired_total{rule="plan it"} 1');
    expect(metrics).not.toContain('rule="ready to merge"');
  });

  it('refuses a command in people\'s words when the pipeline has not succeeded, and records the same', async () => {
    h.gitlab.mergeRequest(1, 1)!.head_pipeline_status = 'running';
    const note = notePayload({ body: '@rulebot ship', userId: DEV.id, username: DEV.username, projectId: 1, path: 'gitlabhq/gitlab-test', iid: 1 });
    await h.post(note, { 'x-gitlab-event': 'Note Hook', 'idempotency-key': 'ship-1' });
    await h.settle();
    const replies = h.gitlab.notes(1, 'MergeRequest', 1).filter((n) => n.author_id === BOT.id).map((n) => withoutMarker(n.body));
    expect(replies).toEqual([
      ['@dev, I did not run this command:', '', '- `@rulebot ship`: `ship` needs the pipeline to have succeeded; it is running.', '', 'Write `@rulebot help` to see the commands you can use here.'].join('\n'),
    ]);
    expect(h.gitlab.mergeRequest(1, 1)).toMatchObject({ state: 'opened', auto_merge: false });
    const body = await record('ship-1');
    expect(body.commands).toEqual([{ command: 'ship', line: '@rulebot ship', status: 'refused', reasons: ['`ship` needs the pipeline to have succeeded; it is running'] }]);
  });
});

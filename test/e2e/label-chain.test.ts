// End to end: labels changed by rulebot's own actions fire the label rules of the project, once, in the same job.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notePayload } from '../support/events.js';
import { SECRET, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const PROJECT = 5;
const DEV = { id: 30, username: 'dev' };
const AUTHOR = { id: 8, username: 'author8' };
const ALICE = { id: 21, username: 'alice' };
let h: Harness;

const rules = `rules:
  - name: ready
    on: command.ready
    if: { on_mr: true, user: { access: developer } }
    then: { remove_labels: ["workflow::in dev"], add_labels: ["workflow::ready"], react: thumbsup }
  - name: request review
    on: merge_request.update
    if: { label_added: ["workflow::ready"] }
    then: { request_review: [alice], add_labels: [step-2] }
  - name: step three
    on: [merge_request.update, issue.update]
    if: { any: [{ label_added: [step-2] }] }
    then: { add_labels: [step-3] }
  - name: step four
    on: merge_request.update
    if: { label_added: [step-3] }
    then: { add_labels: [step-4] }
  - name: back to the start
    on: merge_request.update
    if: { label_added: [step-3] }
    then: { add_labels: ["workflow::ready", again] }
  - name: not about labels
    on: merge_request.update
    then: { add_labels: [any-update] }
`;

describe.each(RUNTIMES)('labels changed by rulebot ($name)', (runtime) => {
  beforeEach(async () => {
    h = await runtime.start({ rules: { 'rules.yml': rules } });
    h.gitlab.addProject({ id: PROJECT, path_with_namespace: 'gitlab-org/gitlab-test' });
    for (const user of [DEV, AUTHOR, ALICE]) h.gitlab.addUser(user);
    h.gitlab.addMember(PROJECT, { user_id: DEV.id, access_level: 30 });
    h.gitlab.addMergeRequest({ project_id: PROJECT, iid: 1, author_id: AUTHOR.id, labels: ['workflow::in dev'], reviewer_ids: [] });
    h.gitlab.addNote({ id: 1244, project_id: PROJECT, noteable_type: 'MergeRequest', noteable_iid: 1, body: 'x', author_id: DEV.id });
  });
  afterEach(async () => h.close());

  it('`@bot ready` adds workflow::ready, which requests the review; the chain stops after 3 steps and runs no rule twice', async () => {
    const payload = notePayload({ body: '@rulebot ready', userId: DEV.id, username: DEV.username, iid: 1, authorId: AUTHOR.id, labels: ['workflow::in dev'] });
    await h.post(payload, { 'x-gitlab-event': 'Note Hook' });
    await h.settle();
    const mr = h.gitlab.mergeRequest(PROJECT, 1)!;
    expect(mr.reviewer_ids).toEqual([ALICE.id]);
    // Step 1 requests the review, step 2 adds step-3, step 3 (two rules) adds step-4 and `again`;
    // `workflow::ready` added again by step 3 does not run "request review" twice, and there is no step 4.
    expect(mr.labels).toEqual(['workflow::ready', 'step-2', 'step-3', 'step-4', 'again']);
    expect(h.callLines()).toEqual([
      `GET /projects/${PROJECT}/members/all/${DEV.id}`,
      `PUT /projects/${PROJECT}/merge_requests/1`,
      `POST /projects/${PROJECT}/merge_requests/1/notes/1244/award_emoji`,
      // The merge request's reviewers (a note does not list them), then alice's id.
      `GET /projects/${PROJECT}/merge_requests/1`,
      `GET /users`,
      `PUT /projects/${PROJECT}/merge_requests/1`,
      `PUT /projects/${PROJECT}/merge_requests/1`,
      `PUT /projects/${PROJECT}/merge_requests/1`,
    ]);
    expect(h.gitlab.calls('PUT').map((call) => call.body)).toEqual([
      { add_labels: 'workflow::ready', remove_labels: 'workflow::in dev' },
      { add_labels: 'step-2', reviewer_ids: [ALICE.id] },
      { add_labels: 'step-3' },
      { add_labels: 'step-4,again' },
    ]);
  });

  it("records the rules the chain fired as fired in the event's decision record, with every write made", async () => {
    const payload = notePayload({ body: '@rulebot ready', userId: DEV.id, username: DEV.username, iid: 1, authorId: AUTHOR.id, labels: ['workflow::in dev'] });
    await h.post(payload, { 'x-gitlab-event': 'Note Hook', 'idempotency-key': 'ready-1' });
    await h.settle();
    const response = await h.fetch('/api/events/ready-1', { headers: { authorization: `Bearer ${SECRET}` } });
    const record = (await response.json()) as { outcome: string; rules: { name: string; fired: boolean }[]; commands: { command: string; status: string }[]; planned: { method: string }[] };
    expect(record.outcome).toBe('done');
    expect(record.commands).toEqual([expect.objectContaining({ command: 'ready', status: 'ran' })]);
    const fired = record.rules.filter((rule) => rule.fired).map((rule) => rule.name);
    expect(fired).toEqual(['request review', 'step three', 'step four', 'back to the start']);
    expect(record.rules.map((rule) => rule.name)).not.toContain('not about labels');
    expect(record.planned.filter((call) => call.method === 'PUT')).toHaveLength(4);
  });
});

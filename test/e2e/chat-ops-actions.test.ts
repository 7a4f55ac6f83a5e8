// End to end: the chat-ops actions that go beyond labels — reply, merge, rebase, pipeline, assign from arguments.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notePayload, withoutMarker } from '../support/events.js';
import { type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const MAINTAINER = { id: 40, username: 'maint' };
let h: Harness;

const rules = `rules:
  - name: ship it
    on: command.ship
    if: { on_mr: true, user: { access: maintainer }, args: { max: 0 } }
    then:
      merge: { auto_merge: true, squash: true }
      reply: "Merging !{{ iid }} when its pipeline succeeds, as {{ user.username }} asked with {{ command }}."
      react: rocket
  - name: rebase
    on: command.rebase
    if: { on_mr: true, user: { access: developer } }
    then: { rebase: true, react: thumbsup }
  - name: run e2e
    on: command.e2e
    if: { user: { access: developer }, args: { only: ["suite-*"], max: 1 } }
    then:
      pipeline: { variables: { RUN_E2E: "yes" } }
      reply: "Started the end-to-end suite {{ args }} on {{ source_branch }}."
  - name: assign
    on: command.assign
    if: { user: { access: developer }, args: { min: 1, max: 2 } }
    then: { assign: ["{{ args }}"] }
`;

async function command(body: string, options: { discussionId?: string; deliveryId?: string } = {}) {
  const { discussionId, deliveryId } = options;
  const payload = notePayload({ body, userId: MAINTAINER.id, username: MAINTAINER.username, iid: 1, ...(discussionId && { discussionId }) });
  await h.post(payload, { 'x-gitlab-event': 'Note Hook', ...(deliveryId && { 'idempotency-key': deliveryId }) });
  await h.settle();
}

describe.each(RUNTIMES)('chat-ops actions ($name)', (runtime) => {
  beforeEach(async () => {
    h = await runtime.start({ rules: { 'commands.yml': rules } });
    h.gitlab.addProject({ id: 5, path_with_namespace: 'gitlab-org/gitlab-test' });
    h.gitlab.addUser(MAINTAINER);
    h.gitlab.addUser({ id: 21, username: 'alice' });
    h.gitlab.addMember(5, { user_id: MAINTAINER.id, access_level: 40 });
    // The version GitLab's note example names as the merge request's last commit.
    h.gitlab.addMergeRequest({ project_id: 5, iid: 1, source_branch: 'master', assignee_ids: [], sha: '562e173be03b8ff2efb05345d12df18815438a4b' });
    h.gitlab.addNote({ id: 1244, project_id: 5, noteable_type: 'MergeRequest', noteable_iid: 1, body: 'x', author_id: MAINTAINER.id });
  });
  afterEach(async () => h.close());

  it('merges when the pipeline succeeds, replies in the thread and reacts', async () => {
    await command('@rulebot ship', { discussionId: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(h.gitlab.mergeRequest(5, 1)).toMatchObject({ state: 'opened', auto_merge: true, squash: true });
    expect(h.callLines()).toEqual([
      'GET /projects/5/members/all/40',
      'PUT /projects/5/merge_requests/1/merge',
      'POST /projects/5/merge_requests/1/discussions/d41d8cd98f00b204e9800998ecf8427e/notes',
      'POST /projects/5/merge_requests/1/notes/1244/award_emoji',
    ]);
    const reply = h.gitlab.calls('POST', /discussions/)[0]?.body as { body: string };
    expect(withoutMarker(reply.body)).toBe('Merging !1 when its pipeline succeeds, as maint asked with ship.');
    expect(h.gitlab.awards(5, 'MergeRequest', 1, 1244).map((a) => a.name)).toEqual(['rocket']);
  });

  it('merges only the version the command saw', async () => {
    Object.assign(h.gitlab.mergeRequest(5, 1)!, { sha: 'a-newer-commit-pushed-since' });
    await command('@rulebot ship', { deliveryId: 'stale-ship' });
    expect(h.gitlab.mergeRequest(5, 1)).toMatchObject({ state: 'opened', auto_merge: false });
    expect(h.gitlab.calls('PUT', /\/merge$/)[0]?.body).toMatchObject({ sha: '562e173be03b8ff2efb05345d12df18815438a4b', merge_when_pipeline_succeeds: true });
    // GitLab's refusal is the command's answer, in its thread; the event is done, not a dead letter.
    const reply = h.gitlab.notes(5, 'MergeRequest', 1).filter((note) => note.author_id === 99).map((note) => withoutMarker(note.body));
    expect(reply).toEqual([
      [
        '@maint, I could not do this command; nothing was done:',
        '',
        '- `@rulebot ship`: merge: GitLab refused (409): SHA does not match HEAD of source branch: a-newer-commit-pushed-since.',
      ].join('\n'),
    ]);
    expect(h.gitlab.awards(5, 'MergeRequest', 1, 1244).map((a) => a.name)).toEqual(['no_entry_sign']);
    expect((await h.status()).queue).toMatchObject({ depth: 0, dead_letters: 0 });
  });

  it('creates no pipeline for a merge request from a fork', async () => {
    const payload = notePayload({ body: '@rulebot e2e', userId: MAINTAINER.id, username: MAINTAINER.username, iid: 1 });
    payload['merge_request']['source_project_id'] = 77;
    await h.post(payload, { 'x-gitlab-event': 'Note Hook' });
    await h.settle();
    expect(h.gitlab.pipelines(5)).toEqual([]);
  });

  it('asks GitLab to rebase', async () => {
    await command('@rulebot rebase');
    expect(h.gitlab.mergeRequest(5, 1)?.rebase_count).toBe(1);
  });

  it('creates a pipeline for the source branch with variables', async () => {
    await command('@rulebot e2e suite-fast');
    expect(h.gitlab.pipelines(5)).toMatchObject([{ ref: 'master', variables: [{ key: 'RUN_E2E', value: 'yes' }] }]);
    expect(withoutMarker(h.gitlab.notes(5, 'MergeRequest', 1).at(-1)!.body)).toBe('Started the end-to-end suite suite-fast on master.');
  });

  it('assigns the users named in the arguments, adding to those already there', async () => {
    await command('@rulebot assign @alice');
    expect(h.gitlab.mergeRequest(5, 1)?.assignee_ids).toEqual([21]);
    expect(h.gitlab.calls('PUT')[0]?.body).toEqual({ assignee_ids: [21] });
  });
});

// End to end: an action GitLab refuses for good holds back neither the other rules' actions nor the rules its labels fire.
import { afterEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../support/events.js';
import { SECRET, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const RULES = `rules:
  - name: ship it
    on: merge_request.update
    if: { label_added: [ship] }
    then:
      add_labels: [shipping]
      auto_merge: { squash: true }
  - name: tell
    on: merge_request.update
    if: { label_added: [ship] }
    then:
      comment: { body: "Shipping {{ title }}.", key: ship }
  - name: chained
    on: merge_request.update
    if: { label_added: [shipping] }
    then: { add_labels: [chained] }
`;

const auth = { authorization: `Bearer ${SECRET}` };

describe.each(RUNTIMES)('an action GitLab refuses ($name)', (runtime) => {
  let h: Harness;
  afterEach(async () => h.close());

  it('makes the other rules\' actions once, then keeps the event as a dead letter naming the refusal; put back, it redoes nothing made', async () => {
    h = await runtime.start({ rules: { 'ship.yml': RULES } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    // A draft: GitLab refuses to merge it (405).
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, title: 'Draft: Viewport', labels: ['ship'] });
    await h.post(mergeRequestPayload({ action: 'update', labels: ['ship'], previousLabels: [], title: 'Draft: Viewport' }), { 'idempotency-key': 'ship-1' });
    await h.settle();

    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['ship', 'shipping', 'chained']);
    expect(h.gitlab.notes(1, 'MergeRequest', 1).map((note) => note.body)).toEqual(['Shipping Draft: Viewport.\n\n<!-- rulebot:comment:ship -->']);
    expect(h.callLines()).toEqual([
      'PUT /projects/1/merge_requests/1',
      'GET /projects/1',
      'PUT /projects/1/merge_requests/1/merge',
      'GET /projects/1/merge_requests/1/notes',
      'POST /projects/1/merge_requests/1/notes',
      'PUT /projects/1/merge_requests/1',
    ]);
    const reason = 'auto_merge (rule "ship it") refused: PUT /projects/1/merge_requests/1/merge: 405 Method Not Allowed; the other actions were made';
    const listed = await (await h.fetch('/dead-letters', { headers: auth })).json();
    expect(listed.dead_letters).toMatchObject([{ id: 'ship-1', attempts: 1, reason }]);

    // Still a draft: put back, only the refused merge is asked again; the labels and the comment are not made twice.
    h.gitlab.clearRequests();
    expect((await h.fetch('/dead-letters/ship-1/retry', { method: 'POST', headers: auth })).status).toBe(202);
    await h.settle();
    expect(h.callLines().filter((line) => !line.startsWith('GET '))).toEqual(['PUT /projects/1/merge_requests/1/merge']);
    expect(h.gitlab.notes(1, 'MergeRequest', 1)).toHaveLength(1);
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['ship', 'shipping', 'chained']);
  });

  it('still retries a failure that may pass (a 502), making each action once', async () => {
    // Each failed GitLab call fails the attempt (no retries inside it): the queue retries the event.
    h = await runtime.start({ rules: { 'ship.yml': RULES }, env: { GITLAB_RETRIES: '0' } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, title: 'Viewport', labels: ['ship'] });
    h.gitlab.inject({ method: 'PUT', path: /\/merge$/, status: 502, times: 1 });
    await h.post(mergeRequestPayload({ action: 'update', labels: ['ship'], previousLabels: [], title: 'Viewport' }));
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['ship', 'shipping', 'chained']);
    expect(h.gitlab.calls('PUT', /\/merge$/)).toHaveLength(2);
    expect(h.gitlab.calls('PUT', /merge_requests\/1$/)).toHaveLength(2);
    expect(h.gitlab.notes(1, 'MergeRequest', 1)).toHaveLength(1);
  });
});

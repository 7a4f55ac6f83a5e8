// End to end: `request_review: {pick, from}` asks those with the fewest open reviews, counting each once and remembering the counts.
import { afterEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../support/events.js';
import type { Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const RULES = `rules:
  - name: roulette
    on: merge_request.open
    then:
      request_review: { pick: 1, from: [alice, bob, carol, root] }
`;

describe.each(RUNTIMES)('reviewer picking ($name)', (runtime) => {
  let h: Harness;
  afterEach(async () => h.close());

  it('picks the least loaded candidate, never the author, and spreads later picks without listing again', async () => {
    h = await runtime.start({ rules: { 'review.yml': RULES } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    for (const [id, username] of [[6, 'alice'], [7, 'bob'], [8, 'carol']] as const) h.gitlab.addUser({ id, username });
    // alice reviews two open merge requests, bob one, carol none (a merged one does not count).
    h.gitlab.addMergeRequest({ project_id: 1, iid: 10, reviewer_ids: [6, 7] });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 11, reviewer_ids: [6] });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 12, reviewer_ids: [8], state: 'merged' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1 });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 2 });

    const open = (iid: number) => {
      const payload = mergeRequestPayload({ action: 'open', iid, labels: [] });
      payload['object_attributes']['reviewer_ids'] = [];
      payload['object_attributes']['assignee_ids'] = [];
      return payload;
    };
    await h.post(open(1));
    await h.settle();
    expect(h.callLines()).toEqual([
      'GET /merge_requests',
      'GET /merge_requests',
      'GET /merge_requests',
      'GET /users',
      'PUT /projects/1/merge_requests/1',
    ]);
    expect(h.gitlab.calls('GET').slice(0, 3).map((call) => call.query['reviewer_username'])).toEqual(['alice', 'bob', 'carol']);
    expect(h.gitlab.mergeRequest(1, 1)?.reviewer_ids).toEqual([8]);

    // carol now has one, as bob does: the tie goes to bob, listed first; the counts are remembered.
    h.gitlab.clearRequests();
    await h.post(open(2));
    await h.settle();
    expect(h.callLines()).toEqual(['GET /users', 'PUT /projects/1/merge_requests/2']);
    expect(h.gitlab.mergeRequest(1, 2)?.reviewer_ids).toEqual([7]);
  });
});

// End to end: `auto_merge` sets merge-when-the-pipeline-succeeds, through the merge train when the project uses one.
import { afterEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../support/events.js';
import type { Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const RULES = `rules:
  - name: ship it
    on: merge_request.update
    if: { label_added: [ship] }
    then:
      auto_merge: { squash: true }
`;

describe.each(RUNTIMES)('auto_merge ($name)', (runtime) => {
  let h: Harness;
  afterEach(async () => h.close());

  async function start(mergeTrains: boolean) {
    h = await runtime.start({ rules: { 'merge.yml': RULES } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test', merge_trains_enabled: mergeTrains });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: ['ship'], sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7' });
  }

  it('sets auto-merge with squash for the version the event saw', async () => {
    await start(false);
    await h.post(mergeRequestPayload({ action: 'update', labels: ['ship'], previousLabels: [] }));
    await h.settle();
    expect(h.callLines()).toEqual(['GET /projects/1', 'PUT /projects/1/merge_requests/1/merge']);
    expect(h.gitlab.calls('PUT')[0]?.body).toEqual({
      auto_merge: true,
      merge_when_pipeline_succeeds: true,
      sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      squash: true,
    });
    expect(h.gitlab.mergeRequest(1, 1)).toMatchObject({ state: 'opened', auto_merge: true, squash: true });
  });

  it('adds the merge request to the merge train when the project uses merge trains', async () => {
    await start(true);
    await h.post(mergeRequestPayload({ action: 'update', labels: ['ship'], previousLabels: [] }));
    await h.settle();
    expect(h.callLines()).toEqual(['GET /projects/1', 'POST /projects/1/merge_trains/merge_requests/1']);
    expect(h.gitlab.calls('POST')[0]?.body).toEqual({
      auto_merge: true,
      when_pipeline_succeeds: true,
      sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      squash: true,
    });
    expect(h.gitlab.mergeRequest(1, 1)).toMatchObject({ state: 'opened', on_merge_train: true, auto_merge: true, squash: true });
  });
});

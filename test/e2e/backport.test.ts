// End to end: `backport` branches from the target, cherry-picks the merge commit and opens a merge request, or says how to do it by hand.
import { afterEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../support/events.js';
import type { Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const RULES = `rules:
  - name: backport fixes
    on: merge_request.merge
    if: { labels: { any: [backport] } }
    then:
      backport: { to: stable-1 }
`;

const MERGE_COMMIT = 'c0ffee0000000000000000000000000000000001';
const STABLE_HEAD = '5ab1e00000000000000000000000000000000001';

describe.each(RUNTIMES)('backport ($name)', (runtime) => {
  let h: Harness;
  afterEach(async () => h.close());

  async function merged(conflicts: string[] = []) {
    h = await runtime.start({ rules: { 'backport.yml': RULES } });
    h.gitlab.addProject({
      id: 1,
      path_with_namespace: 'gitlabhq/gitlab-test',
      branches: { main: 'a'.repeat(40), 'stable-1': STABLE_HEAD },
      cherry_pick_conflicts: conflicts,
    });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, title: 'Fix the viewport', labels: ['backport'], state: 'merged', merge_commit_sha: MERGE_COMMIT });
    const payload = mergeRequestPayload({ action: 'merge', labels: ['backport'] });
    payload['object_attributes']['state'] = 'merged';
    await h.post(payload);
    await h.settle();
  }

  it('opens a merge request with the merge commit cherry-picked onto a branch from the target', async () => {
    await merged();
    expect(h.callLines()).toEqual([
      'GET /projects/1/merge_requests/1',
      'GET /projects/1/repository/branches/backport-1-to-stable-1',
      'POST /projects/1/repository/branches',
      `POST /projects/1/repository/commits/${MERGE_COMMIT}/cherry_pick`,
      'POST /projects/1/merge_requests',
    ]);
    const backport = h.gitlab.mergeRequest(1, 2);
    expect(backport).toMatchObject({ title: '[stable-1] Fix the viewport', source_branch: 'backport-1-to-stable-1', target_branch: 'stable-1', state: 'opened' });
    expect(backport?.description).toContain('Backport of !1 (');
    expect(backport?.description).toContain(MERGE_COMMIT);
  });

  it('answers a conflict with the commands to do it by hand, and leaves no branch behind', async () => {
    await merged([MERGE_COMMIT]);
    expect(h.callLines()).toEqual([
      'GET /projects/1/merge_requests/1',
      'GET /projects/1/repository/branches/backport-1-to-stable-1',
      'POST /projects/1/repository/branches',
      `POST /projects/1/repository/commits/${MERGE_COMMIT}/cherry_pick`,
      'DELETE /projects/1/repository/branches/backport-1-to-stable-1',
      'POST /projects/1/merge_requests/1/notes',
    ]);
    const [note] = h.gitlab.notes(1, 'MergeRequest', 1);
    expect(note?.body).toContain('could not be made automatically');
    expect(note?.body).toContain(`git checkout -b backport-1-to-stable-1 origin/stable-1\ngit cherry-pick -m 1 ${MERGE_COMMIT}`);
    expect(h.gitlab.mergeRequest(1, 2)).toBeUndefined();
  });
});

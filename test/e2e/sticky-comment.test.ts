// End to end: a keyed comment is posted once per merge request, edited in place when its text changes, and left alone otherwise.
import { afterEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../support/events.js';
import type { Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const RULES = `rules:
  - name: checklist
    on: [merge_request.open, merge_request.update]
    if: { labels: { none: [reviewed] } }
    then:
      comment:
        body: "Checklist for {{ title }}: tests, changelog."
        key: checklist
`;

describe.each(RUNTIMES)('keyed comments ($name)', (runtime) => {
  let h: Harness;
  afterEach(async () => h.close());

  it('posts one comment, leaves it alone while its text is the same, and edits it when the text changes', async () => {
    h = await runtime.start({ rules: { 'sticky.yml': RULES } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, title: 'MS-Viewport' });
    // Someone else's comment quoting the marker is never edited.
    h.gitlab.addNote({ project_id: 1, noteable_type: 'MergeRequest', noteable_iid: 1, body: 'copied <!-- rulebot:comment:checklist -->' });

    await h.post(mergeRequestPayload({ action: 'open', labels: [] }));
    await h.settle();
    expect(h.callLines()).toEqual(['GET /projects/1/merge_requests/1/notes', 'POST /projects/1/merge_requests/1/notes']);

    h.gitlab.clearRequests();
    await h.post(mergeRequestPayload({ action: 'update', labels: [] }));
    await h.settle();
    expect(h.callLines()).toEqual(['GET /projects/1/merge_requests/1/notes']);

    h.gitlab.clearRequests();
    await h.post(mergeRequestPayload({ action: 'update', labels: [], title: 'Viewport fix' }));
    await h.settle();
    expect(h.callLines()).toEqual(['GET /projects/1/merge_requests/1/notes', expect.stringMatching(/^PUT \/projects\/1\/merge_requests\/1\/notes\/\d+$/)]);

    const bodies = h.gitlab.notes(1, 'MergeRequest', 1).map((note) => note.body);
    expect(bodies).toEqual([
      'copied <!-- rulebot:comment:checklist -->',
      'Checklist for Viewport fix: tests, changelog.\n\n<!-- rulebot:comment:checklist -->',
    ]);
  });
});

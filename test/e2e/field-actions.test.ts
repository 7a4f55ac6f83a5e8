// End to end: actions editing fields (milestone, due date, people removed, draft, lock, confidentiality), all in the event's one PUT.
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, mergeRequestPayload } from '../support/events.js';
import type { Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const DAY = 86_400_000;

const MR_RULES = `rules:
  - name: release
    on: merge_request.update
    if: { label_added: [release] }
    then:
      milestone: "17.0"
      unassign: true
      assign: [alice]
      remove_reviewers: [carol]
      lock_discussion: true
  - name: wip
    on: merge_request.update
    if: { label_added: [wip] }
    then:
      draft: true
  - name: done
    on: merge_request.update
    if: { label_removed: [wip] }
    then:
      draft: false
      milestone: null
`;

const ISSUE_RULES = `rules:
  - name: security
    on: issue.open
    if: { labels: { any: [security] } }
    then:
      confidential: true
      due_date: "+7d"
      milestone: "missing"
`;

describe.each(RUNTIMES)('field actions ($name)', (runtime) => {
  let h: Harness;
  afterEach(async () => h.close());

  async function start(rules: string) {
    h = await runtime.start({ rules: { 'fields.yml': rules } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    for (const [id, username] of [[6, 'carol'], [7, 'alice'], [51, 'dave']] as const) h.gitlab.addUser({ id, username });
  }

  it('sets the milestone, hands over assignees, removes a reviewer and locks the discussion in one PUT', async () => {
    await start(MR_RULES);
    const milestone = h.gitlab.addMilestone(1, '17.0');
    h.gitlab.addMilestone(1, '16.11');
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: ['release'], assignee_ids: [6], reviewer_ids: [6, 51] });
    const payload = mergeRequestPayload({ action: 'update', labels: ['release'], previousLabels: [] });
    payload['object_attributes']['reviewer_ids'] = [6, 51];
    await h.post(payload);
    await h.settle();
    expect(h.callLines()).toEqual([
      'GET /users',
      'GET /users',
      'GET /projects/1/milestones',
      'PUT /projects/1/merge_requests/1',
    ]);
    expect(h.gitlab.calls('PUT')[0]?.body).toEqual({ assignee_ids: [7], reviewer_ids: [51], milestone_id: milestone, discussion_locked: true });
    const mr = h.gitlab.mergeRequest(1, 1)!;
    expect([mr.milestone, mr.assignee_ids, mr.reviewer_ids, mr.discussion_locked]).toEqual(['17.0', [7], [51], true]);
  });

  it('marks a merge request as draft through its title and back, without a call when nothing changes', async () => {
    await start(MR_RULES);
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, title: 'MS-Viewport', labels: ['wip'], milestone: '17.0' });
    await h.post(mergeRequestPayload({ action: 'update', labels: ['wip'], previousLabels: [] }));
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)).toMatchObject({ title: 'Draft: MS-Viewport', draft: true });

    h.gitlab.clearRequests();
    const undraft = mergeRequestPayload({ action: 'update', labels: [], previousLabels: ['wip'], title: 'Draft: MS-Viewport' });
    undraft['object_attributes']['milestone_id'] = 60_001;
    await h.post(undraft);
    await h.settle();
    expect(h.gitlab.calls('PUT').map((call) => call.body)).toEqual([{ title: 'MS-Viewport', milestone_id: 0 }]);
    expect(h.gitlab.mergeRequest(1, 1)).toMatchObject({ title: 'MS-Viewport', draft: false, milestone: null });

    // The payload shows it is no draft and has no milestone: nothing to send.
    h.gitlab.clearRequests();
    await h.post(mergeRequestPayload({ action: 'update', labels: [], previousLabels: ['wip'] }));
    await h.settle();
    expect(h.callLines()).toEqual([]);
  });

  it('makes an issue confidential with a due date a week on, and names a milestone GitLab does not have', async () => {
    await start(ISSUE_RULES);
    h.gitlab.addIssue({ project_id: 1, iid: 3, labels: ['security'] });
    const payload = fixture('issue');
    const label = { ...payload['labels'][0], title: 'security' };
    Object.assign(payload['object_attributes'], { iid: 3, labels: [label], action: 'open' });
    payload['labels'] = [label];
    await h.post(payload, { 'x-gitlab-event': 'Issue Hook' });
    await h.settle();
    expect(h.callLines()).toEqual(['GET /projects/1/milestones', 'PUT /projects/1/issues/3']);
    expect(h.gitlab.issue(1, 3)).toMatchObject({ confidential: true, due_date: new Date(Date.now() + 7 * DAY).toISOString().slice(0, 10) });
    expect(h.logs.join('\n')).toContain('no open milestone \\"missing\\" in the project or its groups');
  });
});

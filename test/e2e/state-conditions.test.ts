// End to end: conditions on what GitLab knows beyond the payload (approvals, pipeline, mergeability, threads, people, milestone, type), read once and only when they decide.
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, mergeRequestPayload } from '../support/events.js';
import type { Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const READY_RULES = `rules:
  - name: ready to merge
    on: merge_request.update
    if:
      labels: {all: [ready]}
      pipeline: {status: success}
      merge_status: mergeable
      conflicts: false
      approvals: {count: {at_least: 2}, by: {any: [alice]}}
      threads: {unresolved: {at_most: 0}}
    then:
      add_labels: [can-merge]
  - name: needs rebase
    on: merge_request.update
    if:
      labels: {all: [ready]}
      merge_status: [need_rebase, conflict]
    then:
      add_labels: [needs-rebase]
`;

const PEOPLE_RULES = `rules:
  - name: unreviewed
    on: merge_request.update
    if:
      reviewers: {none: true}
    then:
      add_labels: [needs-reviewer]
  - name: alice's
    on: merge_request.update
    if:
      assignees: {any: ["@alice"], count: {at_most: 1}}
      milestone: {is: "17.0"}
    then:
      add_labels: [release-17]
`;

const ISSUE_RULES = `rules:
  - name: incidents
    on: [issue.open, work_item.open]
    if:
      type: [incident, task]
      confidential: false
    then:
      add_labels: [triage]
  - name: no milestone
    on: [issue.open, work_item.open]
    if:
      type: task
      milestone: {none: true}
    then:
      add_labels: [unplanned]
`;

function issuePayload(kind: 'issue' | 'work_item', type: string, confidential = false) {
  const payload = fixture(kind);
  Object.assign(payload['object_attributes'], { type, iid: 3, labels: [], confidential, action: 'open' });
  payload['labels'] = [];
  return payload;
}

describe.each(RUNTIMES)('conditions on merge request state ($name)', (runtime) => {
  let h: Harness;
  afterEach(async () => h.close());

  async function start(rules: string) {
    h = await runtime.start({ rules: { 'state.yml': rules } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    for (const [id, username] of [[6, 'carol'], [7, 'alice'], [8, 'bob'], [51, 'dave']] as const) h.gitlab.addUser({ id, username });
  }

  it('reads nothing while a cheaper condition fails', async () => {
    await start(READY_RULES);
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [], head_pipeline_status: 'success' });
    await h.post(mergeRequestPayload({ action: 'update', labels: [] }));
    await h.settle();
    expect(h.callLines()).toEqual([]);
  });

  it('reads the merge request once for both rules, then approvals, then threads, and acts', async () => {
    await start(READY_RULES);
    h.gitlab.addMergeRequest({
      project_id: 1, iid: 1, labels: ['ready'], head_pipeline_status: 'success', approved_by: [7, 8],
      discussions: [{ id: 'd1', resolvable: true, resolved: true }, { id: 'd2', resolvable: false, resolved: false }],
    });
    await h.post(mergeRequestPayload({ action: 'update', labels: ['ready'] }));
    await h.settle();
    expect(h.callLines()).toEqual([
      'GET /projects/1/merge_requests/1',
      'GET /projects/1/merge_requests/1/approvals',
      'GET /projects/1/merge_requests/1/discussions',
      'PUT /projects/1/merge_requests/1',
    ]);
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['ready', 'can-merge']);
  });

  it('does not list threads when approvals already fail, and does not read approvals when the pipeline failed', async () => {
    await start(READY_RULES);
    h.gitlab.addMergeRequest({
      project_id: 1, iid: 1, labels: ['ready'], head_pipeline_status: 'success', approved_by: [8, 6],
      discussions: [{ id: 'd1', resolvable: true, resolved: false }],
    });
    await h.post(mergeRequestPayload({ action: 'update', labels: ['ready'] }));
    await h.settle();
    expect(h.callLines()).toEqual(['GET /projects/1/merge_requests/1', 'GET /projects/1/merge_requests/1/approvals']);

    h.gitlab.mergeRequest(1, 1)!.head_pipeline_status = 'failed';
    h.gitlab.clearRequests();
    await h.post(mergeRequestPayload({ action: 'update', labels: ['ready'] }));
    await h.settle();
    expect(h.callLines()).toEqual(['GET /projects/1/merge_requests/1']);
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['ready']);
  });

  it('holds unresolved threads against at_most, and reads GitLab\'s detailed merge status and conflicts', async () => {
    await start(READY_RULES);
    h.gitlab.addMergeRequest({
      project_id: 1, iid: 1, labels: ['ready'], head_pipeline_status: 'success', approved_by: [7, 8],
      discussions: [{ id: 'd1', resolvable: true, resolved: false }],
    });
    await h.post(mergeRequestPayload({ action: 'update', labels: ['ready'] }));
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['ready']);

    h.gitlab.addMergeRequest({ project_id: 1, iid: 2, labels: ['ready'], detailed_merge_status: 'conflict', has_conflicts: true });
    h.gitlab.clearRequests();
    await h.post(mergeRequestPayload({ action: 'update', iid: 2, labels: ['ready'] }));
    await h.settle();
    expect(h.callLines()).toEqual(['GET /projects/1/merge_requests/2', 'PUT /projects/1/merge_requests/2']);
    expect(h.gitlab.mergeRequest(1, 2)?.labels).toEqual(['ready', 'needs-rebase']);
  });

  it('decides reviewers {none} from the payload, and reads usernames and the milestone once', async () => {
    await start(PEOPLE_RULES);
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, assignee_ids: [7], reviewer_ids: [6], milestone: '17.0' });
    const payload = mergeRequestPayload({ action: 'update', labels: [] });
    payload['object_attributes']['assignee_ids'] = [7];
    await h.post(payload);
    await h.settle();
    // The payload lists a reviewer: "unreviewed" fails without a call; "alice's" reads the merge request.
    expect(h.callLines()).toEqual(['GET /projects/1/merge_requests/1', 'PUT /projects/1/merge_requests/1']);
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['release-17']);

    h.gitlab.clearRequests();
    payload['object_attributes']['assignee_ids'] = [];
    payload['object_attributes']['reviewer_ids'] = [];
    h.gitlab.addMergeRequest({ project_id: 1, iid: 2 });
    payload['object_attributes']['iid'] = 2;
    await h.post(payload);
    await h.settle();
    // Nobody assigned: `any` fails from the payload alone, and nobody reviews: labelled without a read.
    expect(h.callLines()).toEqual(['PUT /projects/1/merge_requests/2']);
    expect(h.gitlab.mergeRequest(1, 2)?.labels).toEqual(['needs-reviewer']);
  });

  it('reads type and confidentiality from issue and work item payloads, and the milestone from GitLab', async () => {
    await start(ISSUE_RULES);
    h.gitlab.addIssue({ project_id: 1, iid: 3, issue_type: 'task' });
    await h.post(issuePayload('work_item', 'Task'), { 'x-gitlab-event': 'Work Item Hook' });
    await h.settle();
    expect(h.callLines()).toEqual(['GET /projects/1/issues/3', 'PUT /projects/1/issues/3']);
    expect(h.gitlab.issue(1, 3)?.labels).toEqual(['triage', 'unplanned']);

    h.gitlab.clearRequests();
    h.gitlab.addIssue({ project_id: 1, iid: 4, confidential: true, issue_type: 'incident' });
    const confidential = issuePayload('issue', 'Incident', true);
    confidential['object_attributes']['iid'] = 4;
    await h.post(confidential, { 'x-gitlab-event': 'Confidential Issue Hook' });
    await h.settle();
    expect(h.callLines()).toEqual([]);
  });
});

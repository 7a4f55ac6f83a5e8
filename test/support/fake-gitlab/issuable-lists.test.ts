// The fake GitLab's merge request and issue lists over real HTTP: GitLab's filters, order and group scope.

import { describe, expect } from 'vitest';
import type { FakeGitLab } from './server.js';
import { ALICE, BOB, call, LONG_AGO, test } from './test-fixture.js';

const MRS = '/projects/1/merge_requests';

/** Besides !2 (alice, ~bug, open, 2024-01-01): !4 merged, !5 closed, !6 draft, in the order created. */
function seedMergeRequests(gitlab: FakeGitLab): void {
  gitlab.addMergeRequest({
    project_id: 1,
    iid: 4,
    author_id: BOB.id,
    labels: ['bug', 'docs'],
    state: 'merged',
    source_branch: 'fix-docs',
    created_at: '2024-02-01T00:00:00Z',
    updated_at: '2024-03-01T00:00:00Z',
  });
  gitlab.addMergeRequest({
    project_id: 1,
    iid: 5,
    author_id: ALICE.id,
    state: 'closed',
    target_branch: 'release',
    created_at: '2024-03-01T00:00:00.000Z',
    updated_at: '2024-03-02T00:00:00.000Z',
  });
  gitlab.addMergeRequest({
    project_id: 1,
    iid: 6,
    author_id: BOB.id,
    title: 'Draft: faster',
    labels: ['docs'],
    created_at: '2024-04-01T00:00:00.000Z',
  });
}

async function iids(gitlab: FakeGitLab, path: string): Promise<number[]> {
  const response = await call(gitlab, 'GET', path);
  expect(response.status).toBe(200);
  return (await response.json()).map((item: { iid: number }) => item.iid);
}

describe('GET /projects/:id/merge_requests', () => {
  test('lists every state, newest first, each item as GitLab lists it', async ({ gitlab }) => {
    seedMergeRequests(gitlab);
    gitlab.addNote({ project_id: 1, noteable_type: 'MergeRequest', noteable_iid: 2, body: 'hi' });
    gitlab.addNote({ project_id: 1, noteable_type: 'MergeRequest', noteable_iid: 2, body: 'moved', system: true });
    const response = await call(gitlab, 'GET', MRS);
    const items = await response.json();
    expect(items.map((item: { iid: number }) => item.iid)).toEqual([6, 5, 4, 2]);
    expect(items[3]).toMatchObject({
      iid: 2,
      project_id: 1,
      title: 'Add feature',
      description: '',
      state: 'opened',
      labels: ['bug'],
      author: { id: ALICE.id, username: 'alice' },
      assignees: [{ id: BOB.id, username: 'bob' }],
      reviewers: [],
      source_branch: 'feature-2',
      target_branch: 'main',
      draft: false,
      web_url: `${gitlab.url}/group/sub/project/-/merge_requests/2`,
      created_at: LONG_AGO,
      updated_at: LONG_AGO,
      merged_at: null,
      closed_at: null,
      user_notes_count: 1,
    });
    expect(items[3].sha).toMatch(/^[0-9a-f]{40}$/);
    expect(items[2]).toMatchObject({ iid: 4, merged_at: '2024-03-01T00:00:00Z', closed_at: null });
    expect(items[1]).toMatchObject({ iid: 5, merged_at: null, closed_at: '2024-03-02T00:00:00.000Z' });
  });

  test('filters by state', async ({ gitlab }) => {
    seedMergeRequests(gitlab);
    expect(await iids(gitlab, `${MRS}?state=opened`)).toEqual([6, 2]);
    expect(await iids(gitlab, `${MRS}?state=merged`)).toEqual([4]);
    expect(await iids(gitlab, `${MRS}?state=closed`)).toEqual([5]);
    expect(await iids(gitlab, `${MRS}?state=locked`)).toEqual([]);
    expect(await iids(gitlab, `${MRS}?state=all`)).toEqual([6, 5, 4, 2]);
  });

  test('filters by labels: all of them, None, Any, and not[labels]', async ({ gitlab }) => {
    seedMergeRequests(gitlab);
    expect(await iids(gitlab, `${MRS}?labels=bug`)).toEqual([4, 2]);
    expect(await iids(gitlab, `${MRS}?labels=bug,docs`)).toEqual([4]);
    expect(await iids(gitlab, `${MRS}?labels=None`)).toEqual([5]);
    expect(await iids(gitlab, `${MRS}?labels=Any`)).toEqual([6, 4, 2]);
    expect(await iids(gitlab, `${MRS}?not[labels]=bug`)).toEqual([6, 5]);
    expect(await iids(gitlab, `${MRS}?not%5Blabels%5D=bug,docs&state=opened`)).toEqual([]);
  });

  test('filters by author, including not[author_username]', async ({ gitlab }) => {
    seedMergeRequests(gitlab);
    expect(await iids(gitlab, `${MRS}?author_username=BOB`)).toEqual([6, 4]);
    expect(await iids(gitlab, `${MRS}?not%5Bauthor_username%5D=alice`)).toEqual([6, 4]);
    expect(await iids(gitlab, `${MRS}?author_username=mallory`)).toEqual([]);
    expect(await iids(gitlab, `${MRS}?not%5Bauthor_username%5D=mallory`)).toEqual([6, 5, 4, 2]);
  });

  test('filters by branches, draft and iids', async ({ gitlab }) => {
    seedMergeRequests(gitlab);
    expect(await iids(gitlab, `${MRS}?source_branch=fix-docs`)).toEqual([4]);
    expect(await iids(gitlab, `${MRS}?target_branch=release`)).toEqual([5]);
    expect(await iids(gitlab, `${MRS}?draft=yes`)).toEqual([6]);
    expect(await iids(gitlab, `${MRS}?draft=false&state=opened`)).toEqual([2]);
    expect(await iids(gitlab, `${MRS}?iids[]=2&iids[]=5`)).toEqual([5, 2]);
  });

  test('filters by creation and update time, bounds included', async ({ gitlab }) => {
    seedMergeRequests(gitlab);
    expect(await iids(gitlab, `${MRS}?created_after=2024-02-01T00:00:00Z`)).toEqual([6, 5, 4]);
    expect(await iids(gitlab, `${MRS}?created_before=2024-02-01T00:00:00.000Z`)).toEqual([4, 2]);
    expect(await iids(gitlab, `${MRS}?updated_before=2024-03-01`)).toEqual([4, 2]);
    expect(await iids(gitlab, `${MRS}?updated_after=2024-03-02T00:00:00%2B00:00`)).toEqual([6, 5]);
  });

  test('orders by created_at or updated_at or title, either way', async ({ gitlab }) => {
    seedMergeRequests(gitlab);
    expect(await iids(gitlab, `${MRS}?sort=asc`)).toEqual([2, 4, 5, 6]);
    expect(await iids(gitlab, `${MRS}?order_by=updated_at`)).toEqual([6, 5, 4, 2]);
    gitlab.setNow(new Date('2025-01-01T00:00:00Z'));
    await call(gitlab, 'POST', `${MRS}/2/notes`, { json: { body: 'Still needed?' } });
    expect(await iids(gitlab, `${MRS}?order_by=updated_at`)).toEqual([2, 6, 5, 4]);
    expect(await iids(gitlab, `${MRS}?order_by=title&sort=asc`)).toEqual([2, 6, 4, 5]);
  });

  test('answers 400 with Grape’s wording for values it does not accept', async ({ gitlab }) => {
    const cases = [
      ['state=merged_or_not', 'state does not have a valid value'],
      ['order_by=popularity_of_cats', 'order_by does not have a valid value'],
      ['sort=up', 'sort does not have a valid value'],
      ['draft=maybe', 'draft does not have a valid value'],
      ['created_after=yesterday', 'created_after is invalid'],
      ['page=last', 'page is invalid'],
    ];
    for (const [query, error] of cases) {
      const response = await call(gitlab, 'GET', `${MRS}?${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error });
    }
  });
});

describe('GET /projects/:id/issues', () => {
  test('lists issues with the same filters, each as GitLab lists it', async ({ gitlab }) => {
    gitlab.addIssue({ project_id: 1, iid: 4, labels: ['stale'], state: 'closed', created_at: '2023-06-01T00:00:00Z' });
    const issues = await (await call(gitlab, 'GET', '/projects/group%2Fsub%2Fproject/issues')).json();
    expect(issues.map((issue: { iid: number }) => issue.iid)).toEqual([3, 4]);
    expect(issues[1]).toMatchObject({
      iid: 4,
      state: 'closed',
      labels: ['stale'],
      author: { id: 1, username: 'root' },
      assignees: [],
      closed_at: '2023-06-01T00:00:00Z',
      user_notes_count: 0,
      web_url: `${gitlab.url}/group/sub/project/-/issues/4`,
    });
    expect(issues[1]).not.toHaveProperty('source_branch');
    expect(await iids(gitlab, '/projects/1/issues?state=opened&author_username=bob')).toEqual([3]);
    expect(await iids(gitlab, '/projects/1/issues?labels=None&draft=yes')).toEqual([3]);
    const merged = await call(gitlab, 'GET', '/projects/1/issues?state=merged');
    expect(await merged.json()).toEqual({ error: 'state does not have a valid value' });
  });
});

describe('group lists', () => {
  test('span the projects of the group and its subgroups, by id or full path', async ({ gitlab }) => {
    gitlab.addGroup({ id: 5, full_path: 'group' });
    gitlab.addGroup({ id: 6, full_path: 'group/sub' });
    gitlab.addProject({ id: 2, path_with_namespace: 'group/tools' });
    gitlab.addProject({ id: 3, path_with_namespace: 'groupie/elsewhere' });
    gitlab.addMergeRequest({ project_id: 2, iid: 1, created_at: '2024-05-01T00:00:00Z' });
    gitlab.addMergeRequest({ project_id: 3, iid: 1 });
    gitlab.addIssue({ project_id: 2, iid: 1 });

    const all = await (await call(gitlab, 'GET', '/groups/5/merge_requests')).json();
    expect(all.map((mr: { project_id: number; iid: number }) => [mr.project_id, mr.iid])).toEqual([
      [2, 1],
      [1, 2],
    ]);
    expect(all[0].web_url).toBe(`${gitlab.url}/group/tools/-/merge_requests/1`);
    expect(await iids(gitlab, '/groups/group%2Fsub/merge_requests')).toEqual([2]);
    expect(await iids(gitlab, '/groups/group%2Fsub/issues')).toEqual([3]);
    expect(await iids(gitlab, '/groups/group/issues?author_username=bob')).toEqual([3]);
  });

  test('answers 404 Group Not Found for an unknown group', async ({ gitlab }) => {
    const response = await call(gitlab, 'GET', '/groups/nowhere/merge_requests');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: '404 Group Not Found' });
  });
});

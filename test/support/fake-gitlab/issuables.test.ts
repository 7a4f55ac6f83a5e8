// The fake GitLab's merge request and issue endpoints over real HTTP: reading, editing, diffs and pagination.

import { describe, expect, test as plainTest } from 'vitest';
import { FakeGitLab } from './server.js';
import { ALICE, BOB, call, LONG_AGO, seed, test } from './test-fixture.js';
import type { FakeDiff } from './types.js';

const MR = '/projects/1/merge_requests/2';
const ISSUE = '/projects/1/issues/3';

function diffs(count: number): FakeDiff[] {
  return Array.from({ length: count }, (_, index) => ({
    old_path: `src/file-${index + 1}.ts`,
    new_path: `src/file-${index + 1}.ts`,
    diff: '@@ -1 +1 @@\n-a\n+b\n',
  }));
}

describe('GET a merge request', () => {
  test('returns it as GitLab does', async ({ gitlab }) => {
    gitlab.mergeRequest(1, 2)?.labels.push('a-first');
    const response = await call(gitlab, 'GET', MR);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      iid: 2,
      project_id: 1,
      title: 'Add feature',
      description: '',
      state: 'opened',
      labels: ['a-first', 'bug'],
      author: { id: ALICE.id, username: 'alice' },
      assignee: { id: BOB.id, username: 'bob' },
      assignees: [{ id: BOB.id, username: 'bob' }],
      reviewers: [],
      source_branch: 'feature-2',
      target_branch: 'main',
      draft: false,
      web_url: `${gitlab.url}/group/sub/project/-/merge_requests/2`,
      created_at: LONG_AGO,
      updated_at: LONG_AGO,
    });
    expect(body.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(body.id).not.toBe(body.iid);
  });

  test('answers 404 Merge Request Not Found, and 400 for an iid that is not a number', async ({ gitlab }) => {
    const missing = await call(gitlab, 'GET', '/projects/1/merge_requests/99');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: '404 Merge Request Not Found' });
    const invalid = await call(gitlab, 'GET', '/projects/1/merge_requests/two');
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({ error: 'merge_request_iid is invalid' });
  });
});

describe('PUT a merge request', () => {
  test('adds and removes labels from JSON, answering with the updated merge request', async ({ gitlab }) => {
    const response = await call(gitlab, 'PUT', MR, {
      json: { add_labels: 'triaged,needs review', remove_labels: ['bug'] },
    });
    expect(response.status).toBe(200);
    expect((await response.json()).labels).toEqual(['needs review', 'triaged']);
    expect(gitlab.mergeRequest(1, 2)?.labels).toEqual(['triaged', 'needs review']);
  });

  test('reads form fields, with ids as repeated name[] fields', async ({ gitlab }) => {
    const response = await call(gitlab, 'PUT', MR, {
      form: { assignee_ids: [String(ALICE.id)], reviewer_ids: [String(ALICE.id), String(BOB.id)], labels: 'x,y' },
    });
    expect(response.status).toBe(200);
    expect(gitlab.mergeRequest(1, 2)).toMatchObject({
      assignee_ids: [ALICE.id],
      reviewer_ids: [ALICE.id, BOB.id],
      labels: ['x', 'y'],
    });
  });

  test('reads parameters from the query string too', async ({ gitlab }) => {
    const response = await call(gitlab, 'PUT', `${MR}?state_event=close&assignee_ids=`);
    expect(response.status).toBe(200);
    expect(gitlab.mergeRequest(1, 2)).toMatchObject({ state: 'closed', assignee_ids: [] });
  });

  test('keeps one label per scope: adding scope::value replaces the scope’s other value', async ({ gitlab }) => {
    gitlab.mergeRequest(1, 2)?.labels.push('priority::high', 'team::api::owner', 'team::web');
    await call(gitlab, 'PUT', MR, { json: { add_labels: 'priority::low,team::api::reviewer' } });
    expect(gitlab.mergeRequest(1, 2)?.labels).toEqual(['bug', 'team::web', 'priority::low', 'team::api::reviewer']);
  });

  test('replaces all labels with `labels`, keeping the last value of a scope', async ({ gitlab }) => {
    await call(gitlab, 'PUT', MR, { json: { labels: ['size::S', 'docs', 'size::L'] } });
    expect(gitlab.mergeRequest(1, 2)?.labels).toEqual(['docs', 'size::L']);
  });

  test('closes and reopens; closing a merged merge request changes nothing', async ({ gitlab }) => {
    await call(gitlab, 'PUT', MR, { json: { state_event: 'close' } });
    expect(gitlab.mergeRequest(1, 2)?.state).toBe('closed');
    await call(gitlab, 'PUT', MR, { json: { state_event: 'reopen' } });
    expect(gitlab.mergeRequest(1, 2)?.state).toBe('opened');

    gitlab.addMergeRequest({ project_id: 1, iid: 5, state: 'merged' });
    const response = await call(gitlab, 'PUT', '/projects/1/merge_requests/5', { json: { state_event: 'close' } });
    expect(response.status).toBe(200);
    expect((await response.json()).state).toBe('merged');
  });

  test('derives draft from the title and moves updated_at only when something changed', async ({ gitlab }) => {
    await call(gitlab, 'PUT', MR, { json: { add_labels: 'bug' } });
    expect(gitlab.mergeRequest(1, 2)?.updated_at).toBe(LONG_AGO);
    const response = await call(gitlab, 'PUT', MR, { json: { title: 'Draft: Add feature', description: 'WIP' } });
    expect(await response.json()).toMatchObject({ draft: true, title: 'Draft: Add feature', description: 'WIP' });
    expect(gitlab.mergeRequest(1, 2)?.updated_at).not.toBe(LONG_AGO);
  });

  test('drops ids of unknown users; assignee_id 0 unassigns everyone', async ({ gitlab }) => {
    await call(gitlab, 'PUT', MR, { json: { assignee_ids: [ALICE.id, 12345] } });
    expect(gitlab.mergeRequest(1, 2)?.assignee_ids).toEqual([ALICE.id]);
    await call(gitlab, 'PUT', MR, { json: { assignee_id: 0 } });
    expect(gitlab.mergeRequest(1, 2)?.assignee_ids).toEqual([]);
  });

  test('answers 400 when no known parameter is given', async ({ gitlab }) => {
    for (const json of [{}, { weight: 4 }]) {
      const response = await call(gitlab, 'PUT', MR, { json });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error:
          'assignee_id, assignee_ids, reviewer_ids, description, labels, add_labels, remove_labels, ' +
          'state_event, title, milestone_id, discussion_locked are missing, at least one parameter must be provided',
      });
    }
  });

  test('refuses invalid values with GitLab’s wording, applying nothing', async ({ gitlab }) => {
    const cases = [
      [{ add_labels: 'x', state_event: 'merge' }, { error: 'state_event does not have a valid value' }],
      [{ add_labels: 'x', assignee_ids: ['me'] }, { error: 'assignee_ids is invalid' }],
      [{ add_labels: 'x', labels: 5 }, { error: 'labels is invalid' }],
      [{ add_labels: 'x', title: '  ' }, { message: { title: ["can't be blank"] } }],
    ] as const;
    for (const [json, error] of cases) {
      const response = await call(gitlab, 'PUT', MR, { json });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(error);
    }
    expect(gitlab.mergeRequest(1, 2)).toMatchObject({ labels: ['bug'], title: 'Add feature', updated_at: LONG_AGO });
  });
});

describe('merge request diffs', () => {
  test('lists changed files with modes and flags', async ({ gitlab }) => {
    gitlab.mergeRequest(1, 2)?.diffs.push(
      { old_path: 'new.ts', new_path: 'new.ts', diff: '+x\n', new_file: true },
      { old_path: 'old.ts', new_path: 'old.ts', diff: '-x\n', deleted_file: true },
      { old_path: 'a.ts', new_path: 'b.ts', diff: '', renamed_file: true },
    );
    const entry = (fields: Record<string, unknown>) => ({
      a_mode: '100644',
      b_mode: '100644',
      new_file: false,
      renamed_file: false,
      deleted_file: false,
      generated_file: false,
      ...fields,
    });
    const response = await call(gitlab, 'GET', `${MR}/diffs`);
    expect(await response.json()).toEqual([
      entry({ old_path: 'new.ts', new_path: 'new.ts', diff: '+x\n', new_file: true, a_mode: '0' }),
      entry({ old_path: 'old.ts', new_path: 'old.ts', diff: '-x\n', deleted_file: true, b_mode: '0' }),
      entry({ old_path: 'a.ts', new_path: 'b.ts', diff: '', renamed_file: true }),
    ]);
  });

  test('paginates 20 per page by default, with x-* headers and a Link header', async ({ gitlab }) => {
    gitlab.mergeRequest(1, 2)?.diffs.push(...diffs(45));
    const first = await call(gitlab, 'GET', `${MR}/diffs?unidiff=true`);
    const paths = (await first.json()).map((diff: FakeDiff) => diff.new_path);
    expect(paths.slice(0, 2)).toEqual(['src/file-1.ts', 'src/file-2.ts']);
    expect(Object.fromEntries([...first.headers].filter(([name]) => name.startsWith('x-')))).toEqual({
      'x-page': '1',
      'x-per-page': '20',
      'x-total': '45',
      'x-total-pages': '3',
      'x-next-page': '2',
      'x-prev-page': '',
    });
    const base = `${gitlab.url}/api/v4${MR}/diffs`;
    expect(first.headers.get('link')).toBe(
      `<${base}?page=2&per_page=20&unidiff=true>; rel="next", ` +
        `<${base}?page=1&per_page=20&unidiff=true>; rel="first", ` +
        `<${base}?page=3&per_page=20&unidiff=true>; rel="last"`,
    );

    const last = await call(gitlab, 'GET', `${MR}/diffs?page=3`);
    expect(await last.json()).toHaveLength(5);
    expect(last.headers.get('x-next-page')).toBe('');
    expect(last.headers.get('x-prev-page')).toBe('2');
    expect(last.headers.get('link')).toContain(`<${base}?page=2&per_page=20>; rel="prev"`);
    expect(last.headers.get('link')).not.toContain('rel="next"');
  });

  test('walks every page by following rel="next"', async ({ gitlab }) => {
    gitlab.mergeRequest(1, 2)?.diffs.push(...diffs(45));
    const paths: string[] = [];
    const byPath = `${gitlab.url}/api/v4/projects/group%2Fsub%2Fproject/merge_requests/2`;
    let next: string | undefined = `${byPath}/diffs?per_page=7`;
    while (next) {
      const response: Response = await fetch(next, { headers: { 'PRIVATE-TOKEN': 'test-token' } });
      paths.push(...(await response.json()).map((diff: FakeDiff) => diff.new_path));
      next = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    }
    expect(paths).toEqual(diffs(45).map((diff) => diff.new_path));
    expect(gitlab.requests.map((request) => request.query['page'])).toEqual([undefined, '2', '3', '4', '5', '6', '7']);
  });

  test('caps per_page at the maximum and answers an empty page past the end', async ({ gitlab }) => {
    gitlab.mergeRequest(1, 2)?.diffs.push(...diffs(150));
    const capped = await call(gitlab, 'GET', `${MR}/diffs?per_page=500`);
    expect(await capped.json()).toHaveLength(100);
    expect(capped.headers.get('x-per-page')).toBe('100');
    const beyond = await call(gitlab, 'GET', `${MR}/diffs?page=9`);
    expect(await beyond.json()).toEqual([]);
    expect(beyond.headers.get('x-prev-page')).toBe('');
    const invalid = await call(gitlab, 'GET', `${MR}/diffs?page=first`);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({ error: 'page is invalid' });
  });

  plainTest('honours the perPageMax option', async () => {
    const gitlab = new FakeGitLab({ perPageMax: 10 });
    seed(gitlab);
    gitlab.mergeRequest(1, 2)?.diffs.push(...diffs(25));
    await gitlab.start();
    try {
      const response = await call(gitlab, 'GET', `${MR}/diffs?per_page=50`);
      expect(await response.json()).toHaveLength(10);
      expect(response.headers.get('x-total-pages')).toBe('3');
    } finally {
      await gitlab.stop();
    }
  });
});

describe('issues', () => {
  test('GET returns the issue as GitLab does', async ({ gitlab }) => {
    const response = await call(gitlab, 'GET', '/projects/group%2Fsub%2Fproject/issues/3');
    expect(await response.json()).toMatchObject({
      iid: 3,
      project_id: 1,
      title: 'Crash on start',
      state: 'opened',
      labels: [],
      author: { id: BOB.id, username: 'bob' },
      assignees: [],
      web_url: `${gitlab.url}/group/sub/project/-/issues/3`,
    });
  });

  test('PUT edits labels, assignees and state', async ({ gitlab }) => {
    const response = await call(gitlab, 'PUT', ISSUE, {
      json: { add_labels: 'severity::2', assignee_ids: [ALICE.id], state_event: 'close' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      state: 'closed',
      labels: ['severity::2'],
      assignees: [{ id: ALICE.id }],
    });
    expect(gitlab.issue(1, 3)).toMatchObject({ state: 'closed', labels: ['severity::2'], assignee_ids: [ALICE.id] });
  });

  test('PUT knows no reviewers for issues', async ({ gitlab }) => {
    const response = await call(gitlab, 'PUT', ISSUE, { json: { reviewer_ids: [ALICE.id] } });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/^assignee_id, assignee_ids, description, .* are missing/);
  });

  test('answers 404 Issue Not Found', async ({ gitlab }) => {
    const response = await call(gitlab, 'PUT', '/projects/1/issues/2', { json: { title: 'x' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: '404 Issue Not Found' });
  });
});

describe('seeding', () => {
  plainTest('refuses merge requests in unknown projects or by unknown users', () => {
    const gitlab = new FakeGitLab();
    expect(() => gitlab.addMergeRequest({ project_id: 1, iid: 1 })).toThrow(/unknown project 1/);
    gitlab.addProject({ id: 1, path_with_namespace: 'g/p' });
    expect(() => gitlab.addIssue({ project_id: 1, iid: 1, author_id: 5 })).toThrow(/unknown user id\(s\) 5/);
  });
});

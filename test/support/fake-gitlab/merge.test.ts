// The fake GitLab's merge and rebase endpoints over real HTTP.

import { describe, expect } from 'vitest';
import { call, LONG_AGO, test } from './test-fixture.js';

const MR = '/projects/1/merge_requests/2';

describe('PUT …/merge', () => {
  test('merges at once as the bot and answers 200 with the merged merge request', async ({ gitlab }) => {
    gitlab.setNow(new Date('2025-05-01T10:00:00Z'));
    const response = await call(gitlab, 'PUT', `${MR}/merge`, {
      json: { squash: true, should_remove_source_branch: true },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      iid: 2,
      state: 'merged',
      merged_at: '2025-05-01T10:00:00.000Z',
      updated_at: '2025-05-01T10:00:00.000Z',
      merge_user: { id: 99, username: 'rulebot' },
      merge_when_pipeline_succeeds: false,
      squash: true,
      should_remove_source_branch: true,
    });
    expect(gitlab.mergeRequest(1, 2)).toMatchObject({ state: 'merged', squash: true, merge_user_id: 99 });
  });

  test('with auto_merge, keeps it open and sets auto-merge', async ({ gitlab }) => {
    const response = await call(gitlab, 'PUT', `${MR}/merge`, { json: { auto_merge: true } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      state: 'opened',
      merged_at: null,
      merge_when_pipeline_succeeds: true,
    });
    expect(gitlab.mergeRequest(1, 2)).toMatchObject({ state: 'opened', auto_merge: true, merge_user_id: 99 });
  });

  test('takes the older merge_when_pipeline_succeeds, from a form too', async ({ gitlab }) => {
    const response = await call(gitlab, 'PUT', `${MR}/merge`, { form: { merge_when_pipeline_succeeds: 'true' } });
    expect(response.status).toBe(200);
    expect(gitlab.mergeRequest(1, 2)).toMatchObject({ state: 'opened', auto_merge: true });
  });

  test('answers 405 for a merge request that is closed, merged or draft, changing nothing', async ({ gitlab }) => {
    gitlab.addMergeRequest({ project_id: 1, iid: 4, state: 'closed' });
    gitlab.addMergeRequest({ project_id: 1, iid: 5, state: 'merged' });
    gitlab.addMergeRequest({ project_id: 1, iid: 6, title: 'Draft: not yet' });
    for (const iid of [4, 5, 6]) {
      const response = await call(gitlab, 'PUT', `/projects/1/merge_requests/${iid}/merge`, { json: { sha: 'x' } });
      expect(response.status).toBe(405);
      expect(await response.json()).toEqual({ message: '405 Method Not Allowed' });
    }
    expect(gitlab.mergeRequest(1, 6)).toMatchObject({ state: 'opened', merged_at: null, auto_merge: false });
  });

  test('answers 409 when sha is not the head of the source branch', async ({ gitlab }) => {
    const head = gitlab.mergeRequest(1, 2)?.sha;
    const stale = await call(gitlab, 'PUT', `${MR}/merge`, { json: { sha: 'a'.repeat(40) } });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toEqual({ message: `SHA does not match HEAD of source branch: ${head}` });
    expect(gitlab.mergeRequest(1, 2)?.state).toBe('opened');
    const current = await call(gitlab, 'PUT', `${MR}/merge`, { json: { sha: head } });
    expect(current.status).toBe(200);
  });

  test('answers 400 for a flag that is not a boolean, 404 for an unknown merge request', async ({ gitlab }) => {
    const invalid = await call(gitlab, 'PUT', `${MR}/merge`, { json: { squash: 'maybe' } });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({ error: 'squash is invalid' });
    const missing = await call(gitlab, 'PUT', '/projects/1/merge_requests/9/merge');
    expect(await missing.json()).toEqual({ message: '404 Merge Request Not Found' });
  });
});

describe('PUT …/rebase', () => {
  test('answers 202 rebase_in_progress, counts it, and is done by the next read', async ({ gitlab }) => {
    const response = await call(gitlab, 'PUT', `${MR}/rebase`);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ rebase_in_progress: true });
    expect(gitlab.mergeRequest(1, 2)).toMatchObject({ rebase_count: 1, updated_at: LONG_AGO });

    const polled = await call(gitlab, 'GET', `${MR}?include_rebase_in_progress=true`);
    expect(await polled.json()).toMatchObject({ rebase_in_progress: false, merge_error: null });
    expect(await (await call(gitlab, 'GET', MR)).json()).not.toHaveProperty('rebase_in_progress');
  });

  test('answers 409 for a merge request that is not open', async ({ gitlab }) => {
    gitlab.addMergeRequest({ project_id: 1, iid: 5, state: 'merged' });
    const response = await call(gitlab, 'PUT', '/projects/1/merge_requests/5/rebase');
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ message: '409 Conflict: Resource lock' });
    expect(gitlab.mergeRequest(1, 5)?.rebase_count).toBe(0);
  });

  test('a refusal injected as a fault leaves the merge request alone', async ({ gitlab }) => {
    gitlab.inject({ method: 'PUT', path: /\/rebase$/, status: 403 });
    const response = await call(gitlab, 'PUT', `${MR}/rebase`);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: '403 Forbidden' });
    expect(gitlab.mergeRequest(1, 2)?.rebase_count).toBe(0);
  });
});

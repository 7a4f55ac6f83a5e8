// The fake GitLab's clock: seeding defaults and the timestamps that requests change, under a fake clock.

import { describe, expect, test as plainTest, vi } from 'vitest';
import { FakeGitLab } from './server.js';
import { call, LONG_AGO, test } from './test-fixture.js';

const T1 = '2025-06-01T12:00:00.000Z';
const T2 = '2025-06-02T12:00:00.000Z';
const T3 = '2025-06-03T12:00:00.000Z';

describe('the fake’s clock', () => {
  plainTest('the now option dates seeds and what requests change', async () => {
    let now = new Date(T1);
    const gitlab = new FakeGitLab({ now: () => now });
    gitlab.addProject({ id: 1, path_with_namespace: 'g/p' });
    expect(gitlab.addMergeRequest({ project_id: 1, iid: 1 })).toMatchObject({ created_at: T1, updated_at: T1 });
    await gitlab.start();
    try {
      now = new Date(T2);
      await call(gitlab, 'PUT', '/projects/1/merge_requests/1', { json: { add_labels: 'x' } });
      expect(gitlab.mergeRequest(1, 1)).toMatchObject({ created_at: T1, updated_at: T2 });
    } finally {
      await gitlab.stop();
    }
  });

  test('setNow pins it: edits, closing and reopening move updated_at and closed_at', async ({ gitlab }) => {
    gitlab.setNow(new Date(T1));
    await call(gitlab, 'PUT', '/projects/1/issues/3', { json: { add_labels: 'triaged' } });
    expect(gitlab.issue(1, 3)).toMatchObject({ updated_at: T1, closed_at: null });
    gitlab.setNow(new Date(T2));
    const closed = await call(gitlab, 'PUT', '/projects/1/issues/3', { json: { state_event: 'close' } });
    expect(await closed.json()).toMatchObject({ state: 'closed', closed_at: T2, updated_at: T2 });
    gitlab.setNow(new Date(T3));
    await call(gitlab, 'POST', '/projects/1/issues/3/notes', { json: { body: '/reopen' } });
    expect(gitlab.issue(1, 3)).toMatchObject({ state: 'opened', closed_at: null, updated_at: T3 });
  });

  test('a note created through the API is dated now and touches its merge request', async ({ gitlab }) => {
    gitlab.setNow(new Date(T1));
    const response = await call(gitlab, 'POST', '/projects/1/merge_requests/2/notes', { json: { body: 'Ping' } });
    expect(await response.json()).toMatchObject({ created_at: T1 });
    expect(gitlab.mergeRequest(1, 2)?.updated_at).toBe(T1);
    gitlab.addNote({ project_id: 1, noteable_type: 'Issue', noteable_iid: 3, body: 'seeded' });
    expect(gitlab.issue(1, 3)?.updated_at).toBe(LONG_AGO);
  });

  test('setNow(undefined) goes back to the real clock', async ({ gitlab }) => {
    gitlab.setNow(new Date(T1));
    gitlab.setNow(undefined);
    const before = Date.now();
    const note = gitlab.addNote({ project_id: 1, noteable_type: 'Issue', noteable_iid: 3, body: 'now' });
    expect(Date.parse(note.created_at)).toBeGreaterThanOrEqual(before);
  });

  plainTest('follows vitest’s fake Date by default', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date(T2));
      const gitlab = new FakeGitLab();
      gitlab.addProject({ id: 1, path_with_namespace: 'g/p' });
      expect(gitlab.addIssue({ project_id: 1, iid: 1 }).created_at).toBe(T2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('seeded dates', () => {
  plainTest('merged and closed seeds are dated by updated_at unless told otherwise', () => {
    const gitlab = new FakeGitLab();
    gitlab.addProject({ id: 1, path_with_namespace: 'g/p' });
    const merged = gitlab.addMergeRequest({ project_id: 1, iid: 1, state: 'merged', updated_at: T2 });
    expect(merged).toMatchObject({ merged_at: T2, closed_at: null, updated_at: T2 });
    const closed = gitlab.addMergeRequest({ project_id: 1, iid: 2, state: 'closed', created_at: T1 });
    expect(closed).toMatchObject({ created_at: T1, updated_at: T1, closed_at: T1, merged_at: null });
    const explicit = gitlab.addMergeRequest({ project_id: 1, iid: 3, state: 'merged', updated_at: T3, merged_at: T2 });
    expect(explicit.merged_at).toBe(T2);
    expect(gitlab.addIssue({ project_id: 1, iid: 1, state: 'closed', updated_at: T3 }).closed_at).toBe(T3);
  });
});

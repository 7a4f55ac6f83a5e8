// The fake GitLab's emoji reactions on notes over real HTTP.

import { describe, expect } from 'vitest';
import type { FakeGitLab } from './server.js';
import { call, test } from './test-fixture.js';
import type { FakeNote } from './types.js';

function commentOnMergeRequest(gitlab: FakeGitLab, iid = 2): FakeNote {
  return gitlab.addNote({ project_id: 1, noteable_type: 'MergeRequest', noteable_iid: iid, body: '/rulebot merge' });
}

function award(gitlab: FakeGitLab, path: string, name: string): Promise<Response> {
  return call(gitlab, 'POST', path, { json: { name } });
}

describe('POST …/notes/:note_id/award_emoji', () => {
  test('reacts as the bot and answers 201 with the award', async ({ gitlab }) => {
    const note = commentOnMergeRequest(gitlab);
    const response = await award(gitlab, `/projects/1/merge_requests/2/notes/${note.id}/award_emoji`, 'eyes');
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body).toEqual({
      id: expect.any(Number),
      name: 'eyes',
      user: expect.objectContaining({ id: 99, username: 'rulebot' }),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updated_at: body.created_at,
      awardable_id: note.id,
      awardable_type: 'Note',
    });
    expect(gitlab.awards(1, 'MergeRequest', 2, note.id)).toEqual([{ name: 'eyes', user_id: 99 }]);
  });

  test('refuses the same emoji twice with GitLab’s 404, but takes another one', async ({ gitlab }) => {
    const note = commentOnMergeRequest(gitlab);
    const path = `/projects/group%2Fsub%2Fproject/merge_requests/2/notes/${note.id}/award_emoji`;
    expect((await award(gitlab, path, 'thumbsup')).status).toBe(201);
    const again = await award(gitlab, path, '+1');
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ message: '404 Award Emoji Name has already been taken Not Found' });
    expect((await award(gitlab, path, 'rocket')).status).toBe(201);
    expect(gitlab.awards(1, 'MergeRequest', 2, note.id).map((award) => award.name)).toEqual(['thumbsup', 'rocket']);
  });

  test('works on issue notes, with the name in the query string', async ({ gitlab }) => {
    const note = gitlab.addNote({ project_id: 1, noteable_type: 'Issue', noteable_iid: 3, body: 'hi' });
    const response = await call(gitlab, 'POST', `/projects/1/issues/3/notes/${note.id}/award_emoji?name=-1`);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ name: 'thumbsdown', awardable_type: 'Note' });
    expect(gitlab.awards(1, 'Issue', 3, note.id)).toEqual([{ name: 'thumbsdown', user_id: 99 }]);
  });

  test('answers 404 "Not found" for an unknown merge request or note, or a note elsewhere', async ({ gitlab }) => {
    gitlab.addMergeRequest({ project_id: 1, iid: 4 });
    const elsewhere = commentOnMergeRequest(gitlab, 4);
    const paths = [
      `/projects/1/merge_requests/2/notes/${elsewhere.id}/award_emoji`,
      '/projects/1/merge_requests/2/notes/99999/award_emoji',
      `/projects/1/merge_requests/9/notes/${elsewhere.id}/award_emoji`,
      `/projects/1/issues/3/notes/${elsewhere.id}/award_emoji`,
    ];
    for (const path of paths) {
      const response = await award(gitlab, path, 'eyes');
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: '404 Not found' });
    }
    expect(gitlab.awards(1, 'MergeRequest', 4, elsewhere.id)).toEqual([]);
  });

  test('answers 400 without a name, and GitLab’s 404 for a blank one', async ({ gitlab }) => {
    const note = commentOnMergeRequest(gitlab);
    const path = `/projects/1/merge_requests/2/notes/${note.id}/award_emoji`;
    const missing = await call(gitlab, 'POST', path, { json: {} });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'name is missing' });
    const blank = await award(gitlab, path, '');
    expect(blank.status).toBe(404);
    expect(await blank.json()).toEqual({ message: "404 Award Emoji Name can't be blank Not Found" });
  });
});

describe('GET …/notes/:note_id/award_emoji', () => {
  test('lists the reactions of one note, paginated', async ({ gitlab }) => {
    const note = commentOnMergeRequest(gitlab);
    const path = `/projects/1/merge_requests/2/notes/${note.id}/award_emoji`;
    await award(gitlab, path, 'eyes');
    await award(gitlab, path, 'tada');
    const response = await call(gitlab, 'GET', `${path}?per_page=1&page=2`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([expect.objectContaining({ name: 'tada', awardable_id: note.id })]);
    expect(response.headers.get('x-total')).toBe('2');
  });
});

// The fake GitLab's notes endpoints over real HTTP, including quick actions run as the bot.

import { describe, expect } from 'vitest';
import type { FakeGitLab } from './server.js';
import { ALICE, BOB, call, test, TOKEN } from './test-fixture.js';

const MR_NOTES = '/projects/1/merge_requests/2/notes';
const ISSUE_NOTES = '/projects/1/issues/3/notes';

function postNote(gitlab: FakeGitLab, path: string, body: string): Promise<Response> {
  return call(gitlab, 'POST', path, { json: { body } });
}

describe('POST a note', () => {
  test('stores it as the bot and answers 201 with the note', async ({ gitlab }) => {
    const response = await postNote(gitlab, MR_NOTES, 'Thanks!\n\nPlease add tests.');
    expect(response.status).toBe(201);
    const note = await response.json();
    expect(note).toMatchObject({
      body: 'Thanks!\n\nPlease add tests.',
      author: { id: 99, username: 'rulebot' },
      system: false,
      internal: false,
      noteable_type: 'MergeRequest',
      noteable_iid: 2,
      project_id: 1,
    });
    expect(note.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(gitlab.notes(1, 'MergeRequest', 2)).toEqual([
      expect.objectContaining({ id: note.id, body: 'Thanks!\n\nPlease add tests.', author_id: 99 }),
    ]);
  });

  test('takes form fields and an internal flag, on issues too', async ({ gitlab }) => {
    const response = await call(gitlab, 'POST', ISSUE_NOTES, { form: { body: 'Looking into it', internal: 'true' } });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ internal: true, noteable_type: 'Issue', noteable_iid: 3 });
    expect(gitlab.notes(1, 'Issue', 3)).toEqual([expect.objectContaining({ internal: true, body: 'Looking into it' })]);
  });

  test('answers 400 when the body is missing or blank', async ({ gitlab }) => {
    const missing = await call(gitlab, 'POST', MR_NOTES, { json: { internal: true } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'body is missing' });
    const blank = await postNote(gitlab, MR_NOTES, ' \n ');
    expect(blank.status).toBe(400);
    expect(await blank.json()).toEqual({ message: { note: ["can't be blank"] } });
    expect(gitlab.notes(1, 'MergeRequest', 2)).toEqual([]);
  });

  test('answers 404 for a merge request that does not exist', async ({ gitlab }) => {
    const response = await call(gitlab, 'POST', '/projects/1/merge_requests/9/notes', { json: { body: 'hi' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: '404 Merge Request Not Found' });
  });
});

describe('quick actions in notes', () => {
  test('a note of only quick actions runs them, stores nothing and answers 202', async ({ gitlab }) => {
    const response = await postNote(gitlab, MR_NOTES, '/close\n/label ~ready ~"needs review"\n');
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      commands_changes: { state_event: 'close', add_labels: ['ready', 'needs review'] },
      summary: ['Closed this merge request. Added ~"ready" ~"needs review" labels.'],
    });
    expect(gitlab.mergeRequest(1, 2)).toMatchObject({ state: 'closed', labels: ['bug', 'ready', 'needs review'] });
    expect(gitlab.notes(1, 'MergeRequest', 2)).toEqual([]);
  });

  test('text with quick actions is stored without the command lines, and the commands run', async ({ gitlab }) => {
    const response = await postNote(gitlab, MR_NOTES, 'Triaged.\n/unlabel ~bug\n/assign @alice\nBye');
    expect(response.status).toBe(201);
    expect((await response.json()).body).toBe('Triaged.\nBye');
    expect(gitlab.mergeRequest(1, 2)).toMatchObject({ labels: [], assignee_ids: [BOB.id, ALICE.id] });
  });

  test('leaves text alone that only looks like a command', async ({ gitlab }) => {
    const body = [
      'Not commands:',
      ' /close',
      'please /close this',
      '/closed',
      '/foo bar',
      '```',
      '/label ~inside-fence',
      '```',
    ].join('\n');
    const response = await call(gitlab, 'POST', MR_NOTES, { json: { body } });
    expect(response.status).toBe(201);
    expect((await response.json()).body).toBe(body);
    expect(gitlab.mergeRequest(1, 2)).toMatchObject({ state: 'opened', labels: ['bug'] });
  });

  test('commands are case-insensitive; `me` is the bot; unknown users are ignored', async ({ gitlab }) => {
    const response = await postNote(gitlab, ISSUE_NOTES, '/ASSIGN me @mallory\n/Label scope::a');
    expect(response.status).toBe(202);
    expect(gitlab.issue(1, 3)).toMatchObject({ assignee_ids: [99], labels: ['scope::a'] });
  });

  test('commands are checked against the state before the note, as GitLab does', async ({ gitlab }) => {
    gitlab.addIssue({ project_id: 1, iid: 4, state: 'closed', assignee_ids: [ALICE.id, BOB.id] });
    const response = await postNote(gitlab, '/projects/1/issues/4/notes', '/reopen\n/unassign @bob\n/close');
    expect(await response.json()).toEqual({
      commands_changes: { state_event: 'reopen', assignee_ids: [ALICE.id] },
      summary: ['Reopened this issue. Removed assignee @bob.'],
    });
    expect(gitlab.issue(1, 4)).toMatchObject({ state: 'opened', assignee_ids: [ALICE.id] });
  });

  test('skips commands that do not apply, and says so when none did', async ({ gitlab }) => {
    const response = await postNote(gitlab, MR_NOTES, '/reopen\n/unlabel ~bug\n/unassign @alice');
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      commands_changes: { remove_labels: ['bug'] },
      summary: ['Removed ~"bug" label.'],
    });
    const useless = await postNote(gitlab, MR_NOTES, '/reopen\n/unassign @alice');
    expect(await useless.json()).toEqual({ commands_changes: {}, summary: ['Failed to apply commands.'] });
    expect(gitlab.mergeRequest(1, 2)).toMatchObject({ state: 'opened', labels: [], assignee_ids: [BOB.id] });
  });
});

describe('GET notes', () => {
  test('lists newest first, or oldest first with sort=asc, paginated like GitLab', async ({ gitlab }) => {
    for (let index = 1; index <= 3; index++) {
      gitlab.addNote({
        project_id: 1,
        noteable_type: 'MergeRequest',
        noteable_iid: 2,
        body: `note ${index}`,
        created_at: `2024-01-0${index}T00:00:00.000Z`,
      });
    }
    gitlab.addNote({ project_id: 1, noteable_type: 'Issue', noteable_iid: 3, body: 'elsewhere' });

    const newest = await call(gitlab, 'GET', `${MR_NOTES}?per_page=2`);
    expect((await newest.json()).map((note: { body: string }) => note.body)).toEqual(['note 3', 'note 2']);
    expect(newest.headers.get('x-total')).toBe('3');
    expect(newest.headers.get('x-next-page')).toBe('2');
    expect(newest.headers.get('link')).toContain('rel="next"');

    const oldest = await call(gitlab, 'GET', `${MR_NOTES}?sort=asc`);
    const notes = await oldest.json();
    expect(notes.map((note: { body: string }) => note.body)).toEqual(['note 1', 'note 2', 'note 3']);
    expect(notes[0]).toMatchObject({ author: { id: 1, username: 'root' }, noteable_iid: 2, system: false });
  });

  test('answers 400 for an unknown sort order', async ({ gitlab }) => {
    const response = await call(gitlab, 'GET', `${ISSUE_NOTES}?sort=random`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'sort does not have a valid value' });
    const orderBy = await call(gitlab, 'GET', `${ISSUE_NOTES}?order_by=title`);
    expect(orderBy.status).toBe(400);
    expect(await orderBy.json()).toEqual({ error: 'order_by does not have a valid value' });
  });

  test('pages through notes by creation, newest first, system notes included, the next page named in the headers', async ({ gitlab }) => {
    for (let index = 1; index <= 5; index++) {
      gitlab.addNote({
        project_id: 1,
        noteable_type: 'MergeRequest',
        noteable_iid: 2,
        body: `note ${index}`,
        system: index % 2 === 0,
        created_at: `2024-01-0${index}T00:00:00.000Z`,
      });
    }
    const first = await call(gitlab, 'GET', `${MR_NOTES}?sort=desc&order_by=created_at&per_page=2`);
    expect((await first.json()).map((note: { body: string }) => note.body)).toEqual(['note 5', 'note 4']);
    expect(first.headers.get('x-next-page')).toBe('2');
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    expect(next).toBe(`${gitlab.url}/api/v4${MR_NOTES}?order_by=created_at&page=2&per_page=2&sort=desc`);

    const second = await fetch(next!, { headers: { 'private-token': TOKEN } });
    expect((await second.json()).map((note: { body: string; system: boolean }) => [note.body, note.system])).toEqual([['note 3', false], ['note 2', true]]);
    const last = await call(gitlab, 'GET', `${MR_NOTES}?sort=desc&order_by=updated_at&per_page=2&page=3`);
    expect((await last.json()).map((note: { body: string }) => note.body)).toEqual(['note 1']);
    expect(last.headers.get('x-next-page')).toBe('');
    expect(last.headers.get('link')).not.toContain('rel="next"');
  });
});

// The fake's repository files API and commit statuses answer as GitLab does (doc/api/repository_files.md, commits.md).
import { describe, expect } from 'vitest';
import { call, test } from './test-fixture.js';

const FILE = '.gitlab%2Frulebot.yml';

describe('repository files', () => {
  test('gives a file\'s raw text at the default branch, a branch or a commit, with GitLab\'s X-Gitlab headers', async ({ gitlab }) => {
    const first = gitlab.commitFiles(1, { files: { '.gitlab/rulebot.yml': 'rules: []\n', 'README.md': 'hi' } });
    const second = gitlab.commitFiles(1, { files: { 'README.md': 'hello' } });
    const feature = gitlab.commitFiles(1, { branch: 'feature', files: { '.gitlab/rulebot.yml': 'rules: [x]\n' } });
    expect(first.added).toEqual(['.gitlab/rulebot.yml', 'README.md']);
    expect(second.modified).toEqual(['README.md']);

    const raw = await call(gitlab, 'GET', `/projects/1/repository/files/${FILE}/raw`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await raw.text()).toBe('rules: []\n');
    expect(raw.headers.get('x-gitlab-commit-id')).toBe(second.id);
    expect(raw.headers.get('x-gitlab-last-commit-id')).toBe(first.id);
    expect(raw.headers.get('x-gitlab-size')).toBe('10');
    expect(raw.headers.get('x-gitlab-blob-id')).toMatch(/^[0-9a-f]{40}$/);

    expect(await (await call(gitlab, 'GET', `/projects/group%2Fsub%2Fproject/repository/files/${FILE}/raw?ref=feature`)).text()).toBe('rules: [x]\n');
    expect(await (await call(gitlab, 'GET', `/projects/1/repository/files/${FILE}/raw?ref=${first.id}`)).text()).toBe('rules: []\n');
    expect(await (await call(gitlab, 'GET', `/projects/1/repository/files/${FILE}/raw?ref=${feature.id.slice(0, 8)}`)).text()).toBe('rules: [x]\n');
  });

  test('gives metadata with the content in base64, and HEAD the headers alone; both need a ref', async ({ gitlab }) => {
    const commit = gitlab.commitFiles(1, { files: { 'a/b.yml': 'x: 1\n' } });
    const meta = await call(gitlab, 'GET', '/projects/1/repository/files/a%2Fb.yml?ref=main');
    expect(await meta.json()).toMatchObject({ file_name: 'b.yml', file_path: 'a/b.yml', size: 5, encoding: 'base64', content: Buffer.from('x: 1\n').toString('base64'), ref: 'main', commit_id: commit.id, last_commit_id: commit.id });
    const head = await call(gitlab, 'HEAD', '/projects/1/repository/files/a%2Fb.yml?ref=main');
    expect([head.status, head.headers.get('x-gitlab-file-path'), await head.text()]).toEqual([200, 'a/b.yml', '']);
    const noRef = await call(gitlab, 'GET', '/projects/1/repository/files/a%2Fb.yml');
    expect([noRef.status, await noRef.json()]).toEqual([400, { error: 'ref is missing' }]);
  });

  test('answers 404 naming what is missing: the file, the ref (or an empty repository), the project', async ({ gitlab }) => {
    const answer = async (path: string) => {
      const response = await call(gitlab, 'GET', path);
      return [response.status, await response.json()];
    };
    expect(await answer(`/projects/1/repository/files/${FILE}/raw`)).toEqual([404, { message: '404 Commit Not Found' }]);
    gitlab.commitFiles(1, { files: { 'README.md': 'hi' } });
    expect(await answer(`/projects/1/repository/files/${FILE}/raw`)).toEqual([404, { message: '404 File Not Found' }]);
    expect(await answer(`/projects/1/repository/files/${FILE}/raw?ref=nope`)).toEqual([404, { message: '404 Commit Not Found' }]);
    expect(await answer(`/projects/404/repository/files/${FILE}/raw`)).toEqual([404, { message: '404 Project Not Found' }]);
    // A path with its slashes not encoded is another route, which does not exist.
    expect(await answer('/projects/1/repository/files/.gitlab/rulebot.yml/raw')).toEqual([404, { error: '404 Not Found' }]);
    expect(await answer('/projects/1/repository/files/..%2Fetc%2Fpasswd/raw')).toEqual([400, { error: 'file_path should be a valid file path' }]);
  });
});

describe('commit statuses', () => {
  test('sets a status on a commit (201), updating one still running and superseding a finished one', async ({ gitlab }) => {
    const commit = gitlab.commitFiles(1, { branch: 'feature', files: { 'a.txt': 'a' } });
    const post = (form: Record<string, string>) => call(gitlab, 'POST', `/projects/1/statuses/${commit.id}`, { form });
    const created = await post({ state: 'running', name: 'rulebot/config', ref: 'feature' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ sha: commit.id, ref: 'feature', status: 'running', name: 'rulebot/config', author: { username: 'rulebot' } });
    expect((await post({ state: 'running', name: 'rulebot/config', ref: 'feature' })).status).toBe(400);
    expect((await post({ state: 'failed', name: 'rulebot/config', ref: 'feature', description: 'broken' })).status).toBe(201);
    expect((await post({ state: 'success', name: 'rulebot/config', ref: 'feature' })).status).toBe(201);
    expect(gitlab.commitStatuses(1, commit.id).map((s) => [s.status, s.description])).toEqual([['failed', 'broken'], ['success', null]]);
    // Without a ref, the first branch that holds the commit.
    expect(await (await post({ state: 'success' })).json()).toMatchObject({ ref: 'feature', name: 'default' });
  });

  test('refuses what GitLab refuses', async ({ gitlab }) => {
    const commit = gitlab.commitFiles(1, { files: { 'a.txt': 'a' } });
    const answer = async (sha: string, form: Record<string, string>) => {
      const response = await call(gitlab, 'POST', `/projects/1/statuses/${sha}`, { form });
      return [response.status, await response.json()];
    };
    expect(await answer(commit.id, {})).toEqual([400, { error: 'state is missing' }]);
    expect(await answer(commit.id, { state: 'broken' })).toEqual([400, { error: 'state does not have a valid value' }]);
    expect(await answer('0'.repeat(40), { state: 'success' })).toEqual([404, { message: '404 Commit Not Found' }]);
    expect(await answer(commit.id, { state: 'failed', description: 'x'.repeat(256) })).toEqual([
      400,
      { message: { description: ['is too long (maximum is 255 characters)'] } },
    ]);
  });
});

describe('editing a note', () => {
  test('changes the body of the bot\'s own note, and refuses another author\'s', async ({ gitlab }) => {
    const own = gitlab.addNote({ project_id: 1, noteable_type: 'MergeRequest', noteable_iid: 2, body: 'old', author_id: 99 });
    const theirs = gitlab.addNote({ project_id: 1, noteable_type: 'MergeRequest', noteable_iid: 2, body: 'mine', author_id: 10 });
    const edited = await call(gitlab, 'PUT', `/projects/1/merge_requests/2/notes/${own.id}`, { json: { body: 'new' } });
    expect([edited.status, (await edited.json()).body]).toEqual([200, 'new']);
    expect((await call(gitlab, 'PUT', `/projects/1/merge_requests/2/notes/${theirs.id}`, { json: { body: 'x' } })).status).toBe(403);
    expect((await call(gitlab, 'PUT', '/projects/1/merge_requests/2/notes/1', { json: { body: 'x' } })).status).toBe(404);
    expect(gitlab.notes(1, 'MergeRequest', 2).map((note) => note.body)).toEqual(['new', 'mine']);
  });
});

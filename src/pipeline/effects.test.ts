import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeGitLab } from '../../test/support/fake-gitlab.js';
import { GitLabClient } from '../gitlab/index.js';
import { createLogger } from '../log.js';
import { MemoryStore } from '../store/index.js';
import type { ApiCall } from './api-call.js';
import { CLOCK_SKEW_MS, effectKey, marker, sentKey, type EffectGuard } from './effects.js';
import { executeCalls } from './execute.js';

// A retried event's comment whose answer was lost, looked for in a real (fake) GitLab over HTTP.

const BOT = { id: 99, username: 'rulebot', name: 'rulebot' };
const FIRST_ATTEMPT = Date.parse('2026-05-04T10:00:00.000Z');
const NOTES = /^\/projects\/1\/merge_requests\/1\/notes$/;
const comment: ApiCall = { kind: 'note', method: 'POST', path: '/projects/1/merge_requests/1/notes', body: { body: 'Thanks for !1.' }, rules: ['welcome'] };

let now = FIRST_ATTEMPT;
let gitlab: FakeGitLab;
let store: MemoryStore;
let logs: string[];
beforeEach(async () => {
  now = FIRST_ATTEMPT;
  gitlab = new FakeGitLab({ token: 'test-token', botUser: BOT, now: () => new Date(now) });
  await gitlab.start();
  gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  gitlab.addMergeRequest({ project_id: 1, iid: 1 });
  store = new MemoryStore({ now: () => now });
  logs = [];
});
afterEach(async () => gitlab.stop());

const guard = (): EffectGuard => ({
  store, jobId: 'job-1', retrying: true, firstAttemptAt: FIRST_ATTEMPT, scope: 'event', lostAnswerWindowMs: 65_000, now: () => now,
});

/** Notes by others (every third a system note), one a second from `from`, going back in time when `step` is negative. */
function addNotes(count: number, from: number, step: number): void {
  for (let index = 0; index < count; index++) {
    const at = new Date(from + index * step).toISOString();
    gitlab.addNote({ project_id: 1, noteable_type: 'MergeRequest', noteable_iid: 1, body: `note ${index}`, system: index % 3 === 0, created_at: at });
  }
}

async function retryComment(): Promise<void> {
  const client = new GitLabClient({ baseUrl: gitlab.url, token: 'test-token', retries: 0 });
  await executeCalls([comment], { gitlab: client, log: createLogger({ level: 'debug', write: (line) => logs.push(line) }), dryRun: false, effects: guard() });
}

function listings(): Record<string, string>[] {
  return gitlab.calls('GET', NOTES).map((request) => request.query);
}

function botComments(): string[] {
  return gitlab.notes(1, 'MergeRequest', 1).filter((note) => note.author_id === BOT.id).map((note) => note.body);
}

const FIRST_PAGE = { sort: 'desc', order_by: 'created_at', per_page: '100' };

describe('a comment whose answer was lost', () => {
  it('is found behind 150 newer notes, with two pages read, and not posted again', async () => {
    addNotes(30, FIRST_ATTEMPT - 86_400_000, -1_000);
    // The earlier attempt's comment, then a busy merge request: comments and system notes.
    gitlab.addNote({ project_id: 1, noteable_type: 'MergeRequest', noteable_iid: 1, author_id: BOT.id, body: `Thanks for !1.\n\n${marker(guard(), 0)}`, created_at: new Date(FIRST_ATTEMPT + 5_000).toISOString() });
    addNotes(150, FIRST_ATTEMPT + 10_000, 1_000);
    now = FIRST_ATTEMPT + 10 * 60_000;

    await retryComment();

    expect(listings()).toEqual([FIRST_PAGE, { ...FIRST_PAGE, page: '2' }]);
    expect(gitlab.calls('POST')).toEqual([]);
    expect(botComments()).toHaveLength(1);
    expect(logs.some((line) => line.includes('call already made by an earlier attempt'))).toBe(true);
  });

  it('is found when GitLab dates it a little before the first attempt (clocks that disagree)', async () => {
    gitlab.addNote({ project_id: 1, noteable_type: 'MergeRequest', noteable_iid: 1, author_id: BOT.id, body: `Thanks for !1.\n\n${marker(guard(), 0)}`, created_at: new Date(FIRST_ATTEMPT - CLOCK_SKEW_MS / 2).toISOString() });
    addNotes(120, FIRST_ATTEMPT + 1_000, 1_000);
    now = FIRST_ATTEMPT + 10 * 60_000;

    await retryComment();

    expect(listings()).toHaveLength(2);
    expect(botComments()).toHaveLength(1);
  });

  it('that really was not made is posted once, after reading only the pages of notes made since the first attempt', async () => {
    // 250 notes from before the event's first attempt (beyond the clock margin), 150 since.
    addNotes(250, FIRST_ATTEMPT - CLOCK_SKEW_MS - 1_000, -1_000);
    addNotes(150, FIRST_ATTEMPT + 1_000, 1_000);
    // The earlier attempt sent the comment and got no answer; GitLab never made it.
    now = FIRST_ATTEMPT + 2_000;
    await store.recordEffect('job-1', sentKey(effectKey(guard(), 0, comment)));
    now = FIRST_ATTEMPT + 10 * 60_000;

    await retryComment();

    // Pages 1 and 2 (100 + 50 new notes, then an old one): not the 2 further pages of older notes.
    expect(listings()).toEqual([FIRST_PAGE, { ...FIRST_PAGE, page: '2' }]);
    expect(gitlab.calls('POST', NOTES)).toHaveLength(1);
    expect(botComments()).toEqual([`Thanks for !1.\n\n${marker(guard(), 0)}`]);
    expect(await store.effectTime('job-1', effectKey(guard(), 0, comment))).toBe(now);
  });
});

// End to end: chat-ops commands in comments, with the shipped rules/commands.yml, against the fake GitLab.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notePayload, withoutMarker } from '../support/events.js';
import { type Harness } from '../support/harness.js';
import { RUNTIMES, type Runtime } from '../support/runtimes.js';

const PROJECT = 5;
const AUTHOR = { id: 8, username: 'author8' };
const DEV = { id: 30, username: 'dev' };
const GUEST = { id: 10, username: 'guest' };
const GROUP_DEV = { id: 31, username: 'groupdev' };

let h: Harness;

async function seed(runtime: Runtime, env: Record<string, string> = {}) {
  h = await runtime.start({ env });
  h.gitlab.addGroup({ id: 70, full_path: 'gitlab-org' });
  h.gitlab.addProject({ id: PROJECT, path_with_namespace: 'gitlab-org/gitlab-test' });
  for (const user of [AUTHOR, DEV, GUEST, GROUP_DEV]) h.gitlab.addUser(user);
  h.gitlab.addMember(PROJECT, { user_id: DEV.id, access_level: 30 });
  h.gitlab.addMember(PROJECT, { user_id: GUEST.id, access_level: 10 });
  h.gitlab.addMember(PROJECT, { user_id: AUTHOR.id, access_level: 10 });
  h.gitlab.addGroupMember(70, { user_id: GROUP_DEV.id, access_level: 30 });
  h.gitlab.addMergeRequest({ project_id: PROJECT, iid: 1, author_id: AUTHOR.id, labels: ['workflow::in dev'] });
  h.gitlab.addIssue({ project_id: PROJECT, iid: 17, author_id: AUTHOR.id, labels: [] });
  for (const id of [1244, 1245, 1246, 1247, 1248]) {
    h.gitlab.addNote({ id, project_id: PROJECT, noteable_type: 'MergeRequest', noteable_iid: 1, body: 'command', author_id: DEV.id });
  }
  h.gitlab.addNote({ id: 1300, project_id: PROJECT, noteable_type: 'Issue', noteable_iid: 17, body: 'command', author_id: DEV.id });
}

async function comment(user: { id: number; username: string }, body: string, options: { noteId?: number; action?: 'create' | 'update'; on?: 'merge_request' | 'issue' } = {}) {
  const on = options.on ?? 'merge_request';
  const payload = notePayload({
    body,
    userId: user.id,
    username: user.username,
    noteId: options.noteId ?? 1244,
    action: options.action ?? 'create',
    on,
    authorId: AUTHOR.id,
    iid: on === 'merge_request' ? 1 : 17,
    labels: on === 'merge_request' ? ['workflow::in dev'] : [],
  });
  const answer = await h.post(payload, { 'x-gitlab-event': 'Note Hook' });
  await h.settle();
  return answer;
}

const mr = () => h.gitlab.mergeRequest(PROJECT, 1)!;
const replies = () => h.gitlab.notes(PROJECT, 'MergeRequest', 1).filter((note) => note.author_id === 99).map((note) => withoutMarker(note.body));
const awards = (noteId = 1244) => h.gitlab.awards(PROJECT, 'MergeRequest', 1, noteId).map((award) => award.name);

describe.each(RUNTIMES)('chat-ops ($name)', (runtime) => {
  beforeEach(async () => seed(runtime));
  afterEach(async () => h.close());

  it('lets a developer label with one role look-up, one PUT and one reaction', async () => {
    await comment(DEV, 'Thanks!\n@rulebot label ~bug ~"priority::high"');
    expect(mr().labels).toEqual(expect.arrayContaining(['bug', 'priority::high']));
    expect(awards()).toEqual(['thumbsup']);
    expect(h.callLines()).toEqual([
      `GET /projects/${PROJECT}/members/all/${DEV.id}`,
      `PUT /projects/${PROJECT}/merge_requests/1`,
      `POST /projects/${PROJECT}/merge_requests/1/notes/1244/award_emoji`,
    ]);
    expect(h.gitlab.calls('PUT')[0]?.body).toEqual({ add_labels: 'bug,priority::high' });
    expect(replies()).toEqual([]);
  });

  it('looks for a reaction whose answer was lost before giving it again, and gives it once', async () => {
    // The connection drops before GitLab answers: rulebot cannot know whether the award was made.
    h.gitlab.inject({ method: 'POST', path: /award_emoji$/, reset: true, times: 1 });
    await comment(DEV, '@rulebot label ~bug');
    expect(mr().labels).toEqual(expect.arrayContaining(['bug']));
    expect(awards()).toEqual(['thumbsup']);
    // The retry read the note's awards once, found none of its own, and gave it.
    expect(h.gitlab.calls('GET', /award_emoji$/)).toHaveLength(1);
    expect(h.gitlab.calls('POST', /award_emoji$/)).toHaveLength(2);

    // Given by GitLab, then the answer lost on the way back: the retry finds it and does not give it again.
    h.gitlab.clearRequests();
    h.gitlab.addAward(1245, 'thumbsup', DEV.id);
    h.gitlab.inject({ method: 'POST', path: /award_emoji$/, resetAfterActing: true, times: 1 });
    await comment(DEV, '@rulebot label ~bug', { noteId: 1245 });
    // The developer's own 👍 does not count as the bot's: the bot's is found by its username.
    expect(awards(1245)).toEqual(['thumbsup', 'thumbsup']);
    expect(h.gitlab.calls('GET', /1245\/award_emoji$/)).toHaveLength(1);
    expect(h.gitlab.calls('POST', /1245\/award_emoji$/)).toHaveLength(1);
  });

  it('refuses a guest with a reply naming the missing role, and changes no label', async () => {
    await comment(GUEST, '@rulebot label ~bug ~"priority::high"');
    expect(mr().labels).toEqual(['workflow::in dev']);
    expect(replies()).toEqual([
      [
        '@guest, I did not run this command:',
        '',
        '- `@rulebot label ~bug ~"priority::high"`: `label` needs the Developer role or higher in this project; you have the Guest role.',
        '',
        'Write `@rulebot help` to see the commands you can use here.',
      ].join('\n'),
    ]);
    expect(awards()).toEqual(['no_entry_sign']);
  });

  it('names the labels a developer may not set', async () => {
    await comment(DEV, '@rulebot label ~security');
    expect(replies()[0]).toContain(
      '`~security` is not one of the labels you may set with `label`: allowed are type::*, priority::*, bug, feature, documentation',
    );
    expect(mr().labels).toEqual(['workflow::in dev']);
  });

  it('refuses an argument with a comma, which GitLab would read as two labels', async () => {
    await comment(DEV, '@rulebot label ~"priority::1,security-approved"');
    expect(mr().labels).toEqual(['workflow::in dev']);
    expect(replies()[0]).toContain('`~"priority::1,security-approved"` contains a comma, which GitLab would read as two names');
  });

  it('never runs edited comments, commands in code blocks or quotes, or system notes', async () => {
    await comment(DEV, '@rulebot label ~bug', { action: 'update' });
    await comment(DEV, 'Try this:\n```\n@rulebot label ~bug\n```\n> @rulebot label ~bug\n`@rulebot label ~bug`', { noteId: 1245 });
    expect(mr().labels).toEqual(['workflow::in dev']);
    expect(h.callLines()).toEqual([]);
  });

  it('never runs a command hidden in an HTML comment, which no reader of the thread sees', async () => {
    const hidden = [
      'Looks good.',
      '<!-- @rulebot label ~bug -->',
      '<!--',
      '@rulebot label ~security',
      '-->',
      'Thanks! <!-- and, unseen:',
      '@rulebot ready',
      '-->',
    ].join('\n');
    await comment(DEV, hidden);
    expect(mr().labels).toEqual(['workflow::in dev']);
    expect(replies()).toEqual([]);
    expect(awards()).toEqual([]);
    expect(h.callLines()).toEqual([]);
  });

  it('runs only what shows of a command line that hides part of itself', async () => {
    await comment(DEV, '<!-- @rulebot label ~security -->\n@rulebot label ~bug <!-- ~"priority::high" -->');
    expect(h.callLines()).toEqual([
      `GET /projects/${PROJECT}/members/all/${DEV.id}`,
      `PUT /projects/${PROJECT}/merge_requests/1`,
      `POST /projects/${PROJECT}/merge_requests/1/notes/1244/award_emoji`,
    ]);
    expect(h.gitlab.calls('PUT')[0]?.body).toEqual({ add_labels: 'bug' });
    expect(mr().labels).toEqual(['workflow::in dev', 'bug']);
  });

  it('runs several commands of one note in order, answering the refused ones once', async () => {
    await comment(AUTHOR, '@rulebot label ~bug\n@rulebot ready\n@rulebot deploy now');
    expect(mr().labels).toEqual(['workflow::ready for review']);
    expect(awards()).toEqual(['thumbsup', 'no_entry_sign']);
    expect(replies()).toHaveLength(1);
    expect(replies()[0]).toContain('- `@rulebot label ~bug`: `label` needs the Developer role or higher in this project; you have the Guest role.');
    expect(replies()[0]).toContain('- `@rulebot deploy now`: `deploy` is not a command here.');
    // One membership look-up for the author serves both commands.
    expect(h.callLines().filter((line) => line.includes('/members/'))).toHaveLength(1);
  });

  it('counts a developer role inherited from the group', async () => {
    await comment(GROUP_DEV, '@rulebot ready');
    expect(mr().labels).toEqual(['workflow::ready for review']);
  });

  it('refuses ready to a guest who is not the author, and on issues', async () => {
    await comment(GUEST, '@rulebot ready');
    expect(replies()[0]).toContain(
      '`@rulebot ready`: only the author of this merge request may use `ready`; or `ready` needs the Developer role or higher in this project; you have the Guest role.',
    );
    await comment(DEV, '@rulebot ready', { on: 'issue', noteId: 1300 });
    const issueReplies = h.gitlab.notes(PROJECT, 'Issue', 17).filter((note) => note.author_id === 99);
    expect(issueReplies[0]?.body).toContain('`ready` works only on merge requests');
    // A guest on an issue: the requirement that failed, never the name of a condition left unchecked.
    await comment(GUEST, '@rulebot ready', { on: 'issue', noteId: 1301 });
    const guestReply = h.gitlab.notes(PROJECT, 'Issue', 17).filter((note) => note.author_id === 99)[1]?.body ?? '';
    expect(guestReply).toContain('- `@rulebot ready`: `ready` works only on merge requests.\n');
    expect(guestReply).not.toMatch(/could not check|`any`|`user`/);
  });

  it('lists exactly the commands the asking user may run', async () => {
    await comment(DEV, '@rulebot help');
    await comment(GUEST, '@rulebot help', { noteId: 1245 });
    await comment(AUTHOR, '@rulebot help', { noteId: 1246 });
    const [dev, guest, author] = replies();
    expect(dev).toBe(
      [
        'Commands you can use on this merge request, each on a line of its own:',
        '',
        '| command | arguments |',
        '|---|---|',
        '| `@rulebot label` | 1 or more of: `type::*`, `priority::*`, `bug`, `feature`, `documentation` |',
        '| `@rulebot ready` | any |',
        '| `@rulebot why` | none: the last events here, and why each rule fired or not |',
        '| `@rulebot help` | none: shows this list |',
      ].join('\n'),
    );
    expect(guest).not.toContain('@rulebot label');
    expect(guest).not.toContain('@rulebot ready');
    expect(guest).not.toContain('@rulebot why');
    expect(author).toContain('`@rulebot ready`');
    expect(author).not.toContain('`@rulebot label`');
  });

  it('acts once when GitLab delivers the same note twice', async () => {
    await comment(DEV, '@rulebot label ~bug');
    await comment(DEV, '@rulebot label ~bug');
    expect(h.gitlab.calls('PUT')).toHaveLength(1);
    expect(awards()).toEqual(['thumbsup']);
  });
});

describe.each(RUNTIMES)('chat-ops rate limit ($name)', (runtime) => {
  beforeEach(async () => seed(runtime, { COMMAND_RATE_LIMIT: '2' }));
  afterEach(async () => h.close());

  it('answers commands over the limit with a reply, not silence', async () => {
    await comment(DEV, '@rulebot label ~bug\n@rulebot label ~feature\n@rulebot label ~documentation');
    expect(mr().labels).toEqual(expect.arrayContaining(['bug', 'feature']));
    expect(mr().labels).not.toContain('documentation');
    expect(replies()[0]).toMatch(
      /- `@rulebot label ~documentation`: you have used 2 commands in the last 60 seconds on this project, the most allowed; try again in \d+ s\./,
    );

    // More over-limit notes in the same minute get a reaction, not another reply each.
    await comment(DEV, '@rulebot label ~bug', { noteId: 1245 });
    await comment(DEV, '@rulebot label ~bug', { noteId: 1246 });
    expect(replies()).toHaveLength(1);
    expect(awards(1246)).toEqual(['no_entry_sign']);
  });

  it('counts only commands that ran, not help or refusals', async () => {
    await comment(DEV, '@rulebot help\n@rulebot label ~security\n@rulebot label ~bug\n@rulebot label ~feature');
    expect(mr().labels).toEqual(expect.arrayContaining(['bug', 'feature']));
    expect(replies()).toHaveLength(2);
    expect(replies()[1]).toContain('`~security` is not one of the labels you may set');
    expect(replies()[1]).not.toContain('try again');
    await comment(DEV, '@rulebot label ~documentation', { noteId: 1245 });
    expect(mr().labels).not.toContain('documentation');
    expect(replies()[2]).toMatch(/try again in \d+ s/);
  });
});

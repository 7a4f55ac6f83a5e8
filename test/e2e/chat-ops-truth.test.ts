// End to end: chat-ops that tells the truth — GitLab's refusals answered, `@me`, unknown users named, internal notes answered internally.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notePayload, withoutMarker } from '../support/events.js';
import { type Harness } from '../support/harness.js';
import { RUNTIMES, type Runtime } from '../support/runtimes.js';

const PROJECT = 5;
const MAINTAINER = { id: 40, username: 'maint' };
const AUTHOR = { id: 8, username: 'author8' };
const BOT_ID = 99;
let h: Harness;

const rules = `rules:
  - name: ship it
    on: command.ship
    if: { on_mr: true, user: { access: maintainer }, args: { max: 0 } }
    then:
      merge: { auto_merge: true, squash: true }
      reply: "Merging !{{ iid }} when its pipeline succeeds."
      react: rocket
  - name: rebase
    on: command.rebase
    if: { on_mr: true, user: { access: developer } }
    then: { rebase: true, react: thumbsup }
  - name: assign
    on: command.assign
    if: { user: { access: developer }, args: { min: 1, max: 3 } }
    then: { assign: ["{{ args }}"], react: thumbsup }
  - name: take
    on: command.take
    if: { user: { access: developer } }
    then: { assign: ["{{ user.username }}", "{{ author.username }}"], react: thumbsup }
  - name: review
    on: command.review
    if: { on_mr: true, user: { access: developer }, args: { min: 1 } }
    then: { request_review: ["{{ args }}"], react: thumbsup }
  - name: label
    on: command.label
    if: { user: { access: developer }, args: { min: 1 } }
    then: { add_labels: ["{{ args }}"], reply: "Labelled with {{ args }}." }
  - name: unassign
    on: command.unassign
    if: { user: { access: developer }, args: { min: 1 } }
    then: { unassign: ["{{ args }}"], react: thumbsup }
  - name: automerge
    on: command.automerge
    if: { on_mr: true, user: { access: maintainer }, args: { max: 0 } }
    then: { auto_merge: { squash: true }, react: rocket }
`;

async function start(runtime: Runtime, env: Record<string, string> = {}) {
  h = await runtime.start({ rules: { 'commands.yml': rules }, env });
  h.gitlab.addProject({ id: PROJECT, path_with_namespace: 'gitlab-org/gitlab-test' });
  h.gitlab.addUser(MAINTAINER);
  h.gitlab.addUser(AUTHOR);
  h.gitlab.addUser({ id: 21, username: 'alice' });
  h.gitlab.addMember(PROJECT, { user_id: MAINTAINER.id, access_level: 40 });
  h.gitlab.addMergeRequest({ project_id: PROJECT, iid: 1, author_id: AUTHOR.id, source_branch: 'master', assignee_ids: [], sha: '562e173be03b8ff2efb05345d12df18815438a4b' });
  h.gitlab.addIssue({ project_id: PROJECT, iid: 17, author_id: AUTHOR.id, labels: [] });
  h.gitlab.addNote({ id: 1244, project_id: PROJECT, noteable_type: 'MergeRequest', noteable_iid: 1, body: 'x', author_id: MAINTAINER.id });
  h.gitlab.addNote({ id: 1300, project_id: PROJECT, noteable_type: 'Issue', noteable_iid: 17, body: 'x', author_id: MAINTAINER.id });
}

async function command(body: string, change: (payload: Record<string, any>) => void = () => {}) {
  const payload = notePayload({ body, userId: MAINTAINER.id, username: MAINTAINER.username, iid: 1, authorId: AUTHOR.id });
  change(payload);
  const answer = await h.post(payload, { 'x-gitlab-event': 'Note Hook' });
  await h.settle();
  return answer;
}

const botNotes = (type: 'MergeRequest' | 'Issue' = 'MergeRequest', iid = 1) =>
  h.gitlab.notes(PROJECT, type, iid).filter((note) => note.author_id === BOT_ID).map((note) => ({ ...note, body: withoutMarker(note.body) }));
const awards = () => h.gitlab.awards(PROJECT, 'MergeRequest', 1, 1244).map((award) => award.name);

describe.each(RUNTIMES)('chat-ops that tells the truth ($name)', (runtime) => {
  beforeEach(async () => start(runtime));
  afterEach(async () => h.close());

  it('answers a merge GitLab refuses with its reason, and gives no 🚀', async () => {
    Object.assign(h.gitlab.mergeRequest(PROJECT, 1)!, { draft: true });
    await command('@rulebot ship');
    expect(h.gitlab.mergeRequest(PROJECT, 1)).toMatchObject({ state: 'opened', auto_merge: false });
    expect(botNotes().map((note) => note.body)).toEqual([
      ['@maint, I could not do this command; nothing was done:', '', '- `@rulebot ship`: merge: GitLab refused (405): Method Not Allowed.'].join('\n'),
    ]);
    expect(awards()).toEqual(['no_entry_sign']);
    // The merge was tried once; its reply ("Merging …") was not posted, since it did not happen.
    expect(h.callLines()).toEqual([
      `GET /projects/${PROJECT}/members/all/${MAINTAINER.id}`,
      `PUT /projects/${PROJECT}/merge_requests/1/merge`,
      `POST /projects/${PROJECT}/merge_requests/1/notes`,
      `POST /projects/${PROJECT}/merge_requests/1/notes/1244/award_emoji`,
    ]);
    // Answered, so not kept as a dead letter.
    expect((await h.status()).queue).toMatchObject({ depth: 0, dead_letters: 0 });
  });

  it('answers a rebase GitLab forbids with its message', async () => {
    h.gitlab.inject({ method: 'PUT', path: /\/rebase$/, status: 403, body: { message: '403 Forbidden - You are not allowed to push into this branch' } });
    await command('@rulebot rebase');
    expect(h.gitlab.mergeRequest(PROJECT, 1)?.rebase_count).toBe(0);
    expect(botNotes()[0]?.body).toContain('- `@rulebot rebase`: rebase: GitLab refused (403): Forbidden - You are not allowed to push into this branch.');
    expect(awards()).toEqual(['no_entry_sign']);
  });

  it('assigns the commenter for `assign @me`, without looking anyone up', async () => {
    await command('@rulebot assign @me');
    expect(h.gitlab.mergeRequest(PROJECT, 1)?.assignee_ids).toEqual([MAINTAINER.id]);
    expect(h.callLines()).toEqual([
      `GET /projects/${PROJECT}/members/all/${MAINTAINER.id}`,
      `GET /projects/${PROJECT}/merge_requests/1`,
      `PUT /projects/${PROJECT}/merge_requests/1`,
      `POST /projects/${PROJECT}/merge_requests/1/notes/1244/award_emoji`,
    ]);
    expect(h.gitlab.calls('PUT')[0]?.body).toEqual({ assignee_ids: [MAINTAINER.id] });
    expect(awards()).toEqual(['thumbsup']);
    expect(botNotes()).toEqual([]);
  });

  it('asks the commenter for a review with `review @me`', async () => {
    await command('@rulebot review @me @alice');
    expect(h.gitlab.mergeRequest(PROJECT, 1)?.reviewer_ids).toEqual([MAINTAINER.id, 21]);
    expect(h.gitlab.calls('GET', /\/users/)).toHaveLength(1);
    expect(awards()).toEqual(['thumbsup']);
  });

  it('fills {{ user.username }} and {{ author.username }} in assign', async () => {
    await command('@rulebot take');
    expect(h.gitlab.mergeRequest(PROJECT, 1)?.assignee_ids).toEqual([MAINTAINER.id, AUTHOR.id]);
    expect(h.gitlab.calls('GET', /\/users/)).toEqual([]);
    expect(awards()).toEqual(['thumbsup']);
  });

  it('names an unknown user in a reply and assigns the others', async () => {
    await command('@rulebot assign @alice @nobody');
    expect(h.gitlab.mergeRequest(PROJECT, 1)?.assignee_ids).toEqual([21]);
    expect(botNotes().map((note) => note.body)).toEqual([
      [
        '@maint, I could not do all of this command:',
        '',
        '- `@rulebot assign @alice @nobody`: could not find `nobody` in GitLab, so that user was left out; the rest was done.',
      ].join('\n'),
    ]);
    expect(awards()).toEqual(['thumbsup']);
  });

  it('gives no 👍 when every user named is unknown, so nothing was done', async () => {
    await command('@rulebot assign @nobody');
    expect(h.gitlab.mergeRequest(PROJECT, 1)?.assignee_ids).toEqual([]);
    expect(h.gitlab.calls('PUT')).toEqual([]);
    expect(botNotes()[0]?.body).toContain('could not find `nobody` in GitLab');
    expect(awards()).toEqual(['no_entry_sign']);
  });

  it('removes the commenter for `unassign @me`, and names an unknown user', async () => {
    Object.assign(h.gitlab.mergeRequest(PROJECT, 1)!, { assignee_ids: [MAINTAINER.id, 21] });
    await command('@rulebot unassign @me @nobody');
    expect(h.gitlab.mergeRequest(PROJECT, 1)?.assignee_ids).toEqual([21]);
    expect(botNotes().map((note) => note.body)).toEqual([
      [
        '@maint, I could not do all of this command:',
        '',
        '- `@rulebot unassign @me @nobody`: could not find `nobody` in GitLab, so that user was left out; the rest was done.',
      ].join('\n'),
    ]);
    expect(awards()).toEqual(['thumbsup']);
  });

  it('answers an auto_merge GitLab refuses with its reason, and gives no 🚀', async () => {
    Object.assign(h.gitlab.mergeRequest(PROJECT, 1)!, { draft: true });
    await command('@rulebot automerge');
    expect(h.gitlab.mergeRequest(PROJECT, 1)).toMatchObject({ state: 'opened', auto_merge: false });
    expect(botNotes().map((note) => note.body)).toEqual([
      ['@maint, I could not do this command; nothing was done:', '', '- `@rulebot automerge`: auto_merge: GitLab refused (405): Method Not Allowed.'].join('\n'),
    ]);
    expect(awards()).toEqual(['no_entry_sign']);
    // The project is read for its merge train setting, then the merge is tried once.
    expect(h.callLines()).toEqual([
      `GET /projects/${PROJECT}/members/all/${MAINTAINER.id}`,
      `GET /projects/${PROJECT}`,
      `PUT /projects/${PROJECT}/merge_requests/1/merge`,
      `POST /projects/${PROJECT}/merge_requests/1/notes`,
      `POST /projects/${PROJECT}/merge_requests/1/notes/1244/award_emoji`,
    ]);
    expect((await h.status()).queue).toMatchObject({ depth: 0, dead_letters: 0 });
  });

  it('answers a command in an internal note internally: its reply, a refusal and help', async () => {
    await command('@rulebot label ~"secret-cve-2026-1"\n@rulebot deploy\n@rulebot help', (payload) => {
      payload['object_attributes']['internal'] = true;
    });
    const notes = botNotes();
    expect(notes.map((note) => [note.body.split('\n')[0], note.internal])).toEqual([
      ['Labelled with ~"secret-cve-2026-1".', true],
      ['Commands you can use on this merge request, each on a line of its own:', true],
      ['@maint, I did not run this command:', true],
    ]);
    expect(h.gitlab.calls('POST', /\/notes$/).map((call) => (call.body as { internal?: boolean }).internal)).toEqual([true, true, true]);
  });

  it('answers internally a command on a confidential issue, delivered without discussion_id', async () => {
    const payload = notePayload({ body: '@rulebot label ~"secret-cve-2026-2"', on: 'issue', iid: 17, noteId: 1300, userId: MAINTAINER.id, username: MAINTAINER.username });
    payload['event_type'] = 'confidential_note';
    payload['issue']['confidential'] = true;
    delete payload['object_attributes']['discussion_id'];
    delete payload['object_attributes']['internal'];
    await h.post(payload, { 'x-gitlab-event': 'Confidential Note Hook' });
    await h.settle();
    expect(h.gitlab.issue(PROJECT, 17)?.labels).toEqual(['secret-cve-2026-2']);
    expect(botNotes('Issue', 17).map((note) => [note.body, note.internal])).toEqual([['Labelled with ~"secret-cve-2026-2".', true]]);
  });
});

describe.each(RUNTIMES)('chat-ops that gives up ($name)', (runtime) => {
  beforeEach(async () => start(runtime, { GITLAB_RETRIES: '0', RETRY_GIVE_UP_AFTER_SECONDS: '0.001' }));
  afterEach(async () => h.close());

  it('answers a command whose merge keeps failing once it is given up, and keeps no dead letter', async () => {
    h.gitlab.inject({ method: 'PUT', path: /\/merge$/, status: 503, times: 100 });
    await command('@rulebot ship');
    // Three attempts, the least an event is given before it is given up.
    expect(h.gitlab.calls('PUT', /\/merge$/)).toHaveLength(3);
    expect(botNotes().map((note) => note.body)).toEqual([
      [
        '@maint, I could not do this command; nothing was done:',
        '',
        '- `@rulebot ship`: merge: GitLab kept failing (503): Service Unavailable; I gave up after retrying.',
      ].join('\n'),
    ]);
    expect(awards()).toEqual(['no_entry_sign']);
    expect((await h.status()).queue).toMatchObject({ depth: 0, dead_letters: 0 });
  });
});

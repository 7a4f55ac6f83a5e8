// End to end: the example housekeeping rules across simulated days, against the fake GitLab's lists.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload, notePayload, withoutMarker } from '../support/events.js';
import { BOT, startHarness, type NodeHarness as Harness } from '../support/harness.js';

const DAY = 86_400_000;
const START = Date.parse('2026-03-01T06:00:00Z');
const PROJECT = { id: 42, path_with_namespace: 'acme/widgets' };
const HUMAN = { id: 7, username: 'alice' };

let now = START;
let h: Harness;

const ago = (days: number) => new Date(now - days * DAY).toISOString();
const rule = (name: string) => h.server.bot.runSchedule(h.server.bot.ruleSet.find(name)!);
const mr = (iid: number) => h.gitlab.mergeRequest(PROJECT.id, iid)!;
const botNotes = (iid: number) => h.gitlab.notes(PROJECT.id, 'MergeRequest', iid).filter((n) => n.author_id === BOT.id).map((n) => withoutMarker(n.body));

beforeEach(async () => {
  now = START;
  h = await startHarness({ rulesDir: 'examples/rules', now: () => now });
  h.gitlab.addProject(PROJECT);
  h.gitlab.addUser(HUMAN);
});
afterEach(async () => h.close());

describe('housekeeping: stale merge requests', () => {
  it('marks an untouched MR stale with one comment, closes it 7 days later, and spares one a human updated', async () => {
    h.gitlab.addMergeRequest({ project_id: PROJECT.id, iid: 1, author_id: HUMAN.id, labels: [], created_at: ago(60), updated_at: ago(31) });
    h.gitlab.addMergeRequest({ project_id: PROJECT.id, iid: 2, author_id: HUMAN.id, labels: [], created_at: ago(60), updated_at: ago(35) });
    h.gitlab.addMergeRequest({ project_id: PROJECT.id, iid: 3, author_id: HUMAN.id, labels: ['pinned'], created_at: ago(90), updated_at: ago(80) });
    h.gitlab.addMergeRequest({ project_id: PROJECT.id, iid: 4, author_id: HUMAN.id, labels: [], created_at: ago(20), updated_at: ago(10) });

    const marked = await rule('mark stale merge requests');
    expect(marked).toMatchObject({ scanned: 2, matched: 2, acted: 2, errors: [] });
    expect([mr(1).labels, mr(2).labels, mr(3).labels, mr(4).labels]).toEqual([['stale'], ['stale'], ['pinned'], []]);
    expect(botNotes(1)).toEqual(['No activity for 30 days, so this is now marked stale. It will be closed in 7 days unless it is updated.']);

    // GitLab tells rulebot about its own label change; that event is its own and changes nothing.
    const own = await h.post(mergeRequestPayload({ action: 'update', projectId: PROJECT.id, path: PROJECT.path_with_namespace, iid: 1, userId: BOT.id, username: BOT.username, labels: ['stale'] }));
    expect(own.body.status).toBe('ignored');

    // Three days later a person comments on !2: the unstale rule takes the mark off.
    now += 3 * DAY;
    await h.post(notePayload({ body: 'Still working on it', on: 'merge_request', projectId: PROJECT.id, path: PROJECT.path_with_namespace, iid: 2, userId: HUMAN.id, username: HUMAN.username, labels: ['stale'] }), { 'x-gitlab-event': 'Note Hook' });
    await h.settle();
    expect(mr(2).labels).toEqual([]);

    // Running the marking again the same week touches nothing: !1 is stale, !2 was just updated.
    h.gitlab.clearRequests();
    expect(await rule('mark stale merge requests')).toMatchObject({ acted: 0 });

    // Seven days after the mark, !1 is closed with a second comment; !2 stays open.
    now += 5 * DAY;
    const closed = await rule('close stale merge requests');
    expect(closed).toMatchObject({ acted: 1, errors: [] });
    expect(mr(1).state).toBe('closed');
    expect(botNotes(1)).toHaveLength(2);
    expect(botNotes(1)[1]).toBe('Closed after 37 days without activity. Reopen it when work continues.');
    expect(mr(2).state).toBe('opened');
  });

  it('lists with GitLab filters, oldest first, and makes one PUT and one note per item', async () => {
    for (let iid = 1; iid <= 5; iid++) {
      h.gitlab.addMergeRequest({ project_id: PROJECT.id, iid, author_id: HUMAN.id, labels: [], created_at: ago(100), updated_at: ago(40 + iid) });
    }
    h.gitlab.clearRequests();
    const report = await rule('mark stale merge requests');
    const list = h.gitlab.calls('GET')[0]!;
    expect(list.path).toBe('/projects/acme%2Fwidgets/merge_requests');
    expect(list.query).toMatchObject({
      state: 'opened',
      'not[labels]': 'stale,pinned',
      order_by: 'updated_at',
      sort: 'asc',
      per_page: '100',
      updated_before: new Date(now - 30 * DAY).toISOString(),
    });
    expect(report).toMatchObject({ scanned: 5, acted: 5, api_calls: 1 + 5 * 2 });
    // Oldest first.
    expect(report.items.map((item) => item.iid)).toEqual([5, 4, 3, 2, 1]);
  });
});

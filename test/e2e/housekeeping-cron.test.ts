// End to end on both runtimes: the example housekeeping rules started by the cron across simulated days.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload, notePayload, withoutMarker } from '../support/events.js';
import { BOT, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const DAY = 86_400_000;
const START = Date.parse('2026-03-01T06:00:00Z');
const PROJECT = { id: 42, path_with_namespace: 'acme/widgets' };
const HUMAN = { id: 7, username: 'alice' };

const staleRule = (limit: number) => `rules:
  - name: stale
    on: schedule
    schedule: "0 6 * * *"
    resource: merge_requests
    scope: { project: "acme/widgets" }
    if:
      state: opened
      updated: { older_than: 30d }
      labels: { none: [stale] }
    limit: ${limit}
    then:
      add_labels: [stale]
`;

describe.each(RUNTIMES)('housekeeping on the cron ($name)', (runtime) => {
  let now = START;
  let h: Harness;
  const ago = (days: number) => new Date(now - days * DAY).toISOString();
  const mr = (iid: number) => h.gitlab.mergeRequest(PROJECT.id, iid)!;
  const botNotes = (iid: number) => h.gitlab.notes(PROJECT.id, 'MergeRequest', iid).filter((n) => n.author_id === BOT.id).map((n) => withoutMarker(n.body));

  beforeEach(() => {
    now = START;
  });
  afterEach(async () => h.close());

  async function start(options: Parameters<typeof runtime.start>[0]) {
    h = await runtime.start({ ...options, now: () => now });
    h.gitlab.addProject(PROJECT);
    h.gitlab.addUser(HUMAN);
  }

  it('marks untouched MRs stale, unmarks one a person comments on, closes the other 7 days later', async () => {
    await start({ rulesDir: 'examples/rules' });
    h.gitlab.addMergeRequest({ project_id: PROJECT.id, iid: 1, author_id: HUMAN.id, labels: [], created_at: ago(60), updated_at: ago(31) });
    h.gitlab.addMergeRequest({ project_id: PROJECT.id, iid: 2, author_id: HUMAN.id, labels: [], created_at: ago(60), updated_at: ago(35) });
    h.gitlab.addMergeRequest({ project_id: PROJECT.id, iid: 3, author_id: HUMAN.id, labels: ['pinned'], created_at: ago(90), updated_at: ago(80) });
    h.gitlab.addMergeRequest({ project_id: PROJECT.id, iid: 4, author_id: HUMAN.id, labels: [], created_at: ago(20), updated_at: ago(10) });

    // 06:00 UTC: both example rules are due; only the marking finds anything.
    await h.cron();
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

    // The cron the same week: nothing to mark (!2 was just updated), nothing old enough to close.
    h.gitlab.clearRequests();
    await h.cron();
    expect(h.gitlab.calls('PUT')).toEqual([]);
    expect(h.gitlab.calls('POST')).toEqual([]);

    // Eight days after the mark, !1 is closed with a second comment; !2 stays open.
    now += 5 * DAY;
    await h.cron();
    expect(mr(1).state).toBe('closed');
    expect(botNotes(1)[1]).toBe('Closed after 37 days without activity. Reopen it when work continues.');
    expect(mr(2).state).toBe('opened');
    expect(botNotes(2)).toHaveLength(1);
  });

  it('runs a rule only when its own cron fired since its last run', async () => {
    await start({ rules: { 'stale.yml': staleRule(50) } });
    h.gitlab.addMergeRequest({ project_id: PROJECT.id, iid: 1, labels: [], created_at: ago(60), updated_at: ago(40) });

    // 05:00: the 06:00 cron has not fired.
    now = START - 3_600_000;
    await h.cron();
    expect(h.callLines()).toEqual([]);

    now = START;
    await h.cron();
    expect(mr(1).labels).toEqual(['stale']);

    // Later the same day it does not run again; the next morning it does.
    h.gitlab.clearRequests();
    now = START + 6 * 3_600_000;
    await h.cron();
    expect(h.callLines()).toEqual([]);
    now = START + DAY;
    await h.cron();
    expect(h.callLines()).toEqual(['GET /projects/acme%2Fwidgets/merge_requests']);
  });

  it('acts on at most `limit` items per run, oldest first, whatever the scan is split into', async () => {
    // On Workers the scan goes over the queue 3 items at a time here: the limit holds across steps.
    await start({ rules: { 'stale.yml': staleRule(10) }, env: { SCAN_STEP_ITEMS: '3' } });
    for (let iid = 1; iid <= 14; iid++) {
      h.gitlab.addMergeRequest({ project_id: PROJECT.id, iid, labels: [], created_at: ago(100), updated_at: ago(40 + iid) });
    }
    await h.cron();
    const stale = (iids: number[]) => iids.filter((iid) => mr(iid).labels.includes('stale'));
    // Oldest first: !14 … !5 marked, the four most recently updated left for the next run.
    expect(stale([1, 2, 3, 4])).toEqual([]);
    expect(stale([5, 6, 7, 8, 9, 10, 11, 12, 13, 14])).toHaveLength(10);
    expect(h.gitlab.calls('PUT')).toHaveLength(10);

    now += DAY;
    await h.cron();
    expect(stale([1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
    expect(h.gitlab.calls('PUT')).toHaveLength(14);
  });
});

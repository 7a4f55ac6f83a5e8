// End to end: a schedule rule judging people's last activity (not rulebot's, not ignored bots') and opening one summary issue per run.
import { afterEach, describe, expect, it } from 'vitest';
import { BOT, SECRET, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const DAY = 86_400_000;
const START = Date.parse('2026-03-01T06:00:00Z');
const ago = (days: number) => new Date(START - days * DAY).toISOString();

const RULES = `rules:
  - name: quiet issues
    on: schedule
    schedule: "0 6 * * *"
    resource: issues
    scope: { project: "acme/widgets" }
    summary:
      title: "Quiet issues"
      body: "No one has written on these for 30 days:"
    if:
      labels: { none: [pinned] }
      activity: { older_than: 30d, ignore_activity_from: [renovate] }
    then:
      add_labels: [quiet]
`;

describe.each(RUNTIMES)('schedule: activity and summary ($name)', (runtime) => {
  let h: Harness;
  afterEach(async () => h.close());

  it("ignores rulebot's and ignored bots' notes, reads notes only for items passing the rest, and lists what it did in one issue", async () => {
    h = await runtime.start({ rules: { 'quiet.yml': RULES }, now: () => START });
    h.gitlab.addProject({ id: 42, path_with_namespace: 'acme/widgets' });
    for (const [id, username] of [[7, 'alice'], [8, 'renovate']] as const) h.gitlab.addUser({ id, username });
    const issue = (iid: number, labels: string[] = [], createdDaysAgo = 100) =>
      h.gitlab.addIssue({ project_id: 42, iid, title: `Issue ${iid}`, labels, created_at: ago(createdDaysAgo), updated_at: ago(1) });
    const note = (iid: number, author_id: number, days: number) =>
      h.gitlab.addNote({ project_id: 42, noteable_type: 'Issue', noteable_iid: iid, body: 'note', author_id, created_at: ago(days) });
    issue(1);
    note(1, 7, 40);
    note(1, 8, 2);
    note(1, BOT.id, 1);
    issue(2);
    note(2, 7, 3);
    issue(3, ['pinned']);
    note(3, 7, 90);
    issue(4);
    // Opened 10 days ago: quiet for 30 days it cannot be, so the listing leaves it out and its notes are not read.
    issue(5, [], 10);

    await h.cron();
    await h.settle();
    expect(h.callLines()).toEqual([
      'GET /projects/acme%2Fwidgets/issues',
      'GET /projects/42/issues/1/notes',
      'PUT /projects/42/issues/1',
      'GET /projects/42/issues/2/notes',
      'GET /projects/42/issues/4/notes',
      'PUT /projects/42/issues/4',
      'POST /projects/acme%2Fwidgets/issues',
    ]);
    expect([1, 2, 3, 4].map((iid) => h.gitlab.issue(42, iid)?.labels)).toEqual([['quiet'], [], ['pinned'], ['quiet']]);
    expect(h.gitlab.issue(42, 5)?.labels).toEqual([]);
    const summary = h.gitlab.issue(42, 6)!;
    expect(summary.title).toBe('Quiet issues');
    expect(summary.description).toBe(
      [
        'No one has written on these for 30 days:',
        '',
        `- [Issue 1](${h.gitlab.url}/acme/widgets/-/issues/1) (acme/widgets#1)`,
        `- [Issue 4](${h.gitlab.url}/acme/widgets/-/issues/4) (acme/widgets#4)`,
      ].join('\n'),
    );
    // The run's decision record names the summary issue, and its creation is among the run's calls.
    const runs = await (await h.fetch('/api/events?event=schedule', { headers: { authorization: `Bearer ${SECRET}` } })).json();
    expect(runs.events).toHaveLength(1);
    expect(runs.events[0].schedule).toMatchObject({ rule: 'quiet issues', acted: 2, summaries: [{ project: 'acme/widgets', title: 'Quiet issues', url: `${h.gitlab.url}/acme/widgets/-/issues/6` }] });
    expect(runs.events[0].calls.map((call: any) => `${call.method} ${call.path}`)).toContain('POST /projects/acme%2Fwidgets/issues');
  });
});

// End to end on Node: what one run of an example housekeeping rule asks GitLab and reports (`rulebot schedule`).
// The rules across simulated days, on both runtimes, are in housekeeping-cron.test.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type NodeHarness as Harness } from '../support/harness.js';

const DAY = 86_400_000;
const START = Date.parse('2026-03-01T06:00:00Z');
const PROJECT = { id: 42, path_with_namespace: 'acme/widgets' };
const HUMAN = { id: 7, username: 'alice' };

let now = START;
let h: Harness;

const ago = (days: number) => new Date(now - days * DAY).toISOString();
const rule = (name: string) => h.server.bot.runSchedule(h.server.bot.ruleSet.find(name)!);

beforeEach(async () => {
  now = START;
  h = await startHarness({ rulesDir: 'examples/rules', now: () => now });
  h.gitlab.addProject(PROJECT);
  h.gitlab.addUser(HUMAN);
});
afterEach(async () => h.close());

describe('housekeeping: stale merge requests', () => {
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

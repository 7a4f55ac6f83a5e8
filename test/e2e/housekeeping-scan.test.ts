// End to end: how schedule rules scan — limits and backlogs, group scope, dry-run, failures on single items, catching up.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/runtime/node/cli/run.js';
import { SqliteStore } from '../../src/runtime/node/sqlite-store.js';
import type { FakeGitLab } from '../support/fake-gitlab.js';
import { startHarness, TOKEN, type NodeHarness as Harness } from '../support/harness.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-01T07:00:00Z');
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const staleRule = (scope: string, limit?: number) => `rules:
  - name: stale
    on: schedule
    schedule: "0 6 * * *"
    resource: merge_requests
    scope: ${scope}
    if:
      state: opened
      updated: { older_than: 30d }
      labels: { none: [stale] }
    ${limit ? `limit: ${limit}` : ''}
    then:
      add_labels: [stale]
`;

async function harness(rules: string, env: Record<string, string> = {}) {
  h = await startHarness({ rules: { 'stale.yml': rules }, now: () => NOW, env });
  h.gitlab.addGroup({ id: 70, full_path: 'acme' });
  h.gitlab.addProject({ id: 42, path_with_namespace: 'acme/widgets' });
  h.gitlab.addProject({ id: 43, path_with_namespace: 'acme/gadgets' });
  h.gitlab.addProject({ id: 44, path_with_namespace: 'other/thing' });
  return h;
}

function seed(projectId: number, count: number, firstIid = 1, ageDays = 40) {
  for (let i = 0; i < count; i++) {
    const updated = new Date(NOW - (ageDays + count - i) * DAY).toISOString();
    h!.gitlab.addMergeRequest({ project_id: projectId, iid: firstIid + i, labels: [], created_at: updated, updated_at: updated });
  }
}

const run = (options: { dryRun?: boolean } = {}) => h!.server.bot.runSchedule(h!.server.bot.ruleSet.find('stale')!, options);
const staleCount = (projectId: number, iids: number[]) => iids.filter((iid) => h!.gitlab.mergeRequest(projectId, iid)?.labels.includes('stale')).length;

describe('schedule scans', () => {
  it('acts on at most `limit` items per run, oldest first, so a backlog drains over runs', async () => {
    // A large budget keeps the test quick; the budget itself is tested on its own.
    await harness(staleRule('{ project: "acme/widgets" }', 50), { GITLAB_REQUESTS_PER_MINUTE: '100000' });
    seed(42, 120);
    const iids = Array.from({ length: 120 }, (_, i) => i + 1);

    const first = await run();
    expect(first).toMatchObject({ acted: 50, stopped_at_limit: true, errors: [] });
    // The oldest 50 (seeded first) were taken.
    expect(staleCount(42, iids.slice(0, 50))).toBe(50);
    expect(first.api_calls).toBeLessThanOrEqual(Math.ceil(1.05 * (1 + 50)));

    expect(await run()).toMatchObject({ acted: 50, stopped_at_limit: true });
    const last = await run();
    expect(last).toMatchObject({ acted: 20, stopped_at_limit: false });
    expect(staleCount(42, iids)).toBe(120);
  });

  it('acts on every matching item of a listing longer than a page, though acting changes the listing', async () => {
    await harness(staleRule('{ project: "acme/widgets" }'), { GITLAB_REQUESTS_PER_MINUTE: '100000', GITLAB_NOTES_PER_MINUTE: '100000' });
    seed(42, 230);
    // Some share one updated_at across the page boundary.
    for (const iid of [99, 100, 101, 102]) Object.assign(h!.gitlab.mergeRequest(42, iid)!, { updated_at: new Date(NOW - 100 * DAY).toISOString() });
    const report = await run();
    expect(report).toMatchObject({ scanned: 230, matched: 230, acted: 230, errors: [] });
    expect(staleCount(42, Array.from({ length: 230 }, (_, i) => i + 1))).toBe(230);
  });

  it('scans a whole group with one listing', async () => {
    await harness(staleRule('{ group: acme }'));
    seed(42, 3, 1);
    seed(43, 2, 1);
    seed(44, 2, 1);
    h!.gitlab.clearRequests();
    const report = await run();
    expect(report).toMatchObject({ scanned: 5, acted: 5 });
    expect(h!.gitlab.calls('GET').map((r) => r.path)).toEqual(['/groups/acme/merge_requests']);
    expect(new Set(report.items.map((item) => item.project))).toEqual(new Set(['acme/widgets', 'acme/gadgets']));
    expect(staleCount(44, [1, 2])).toBe(0);
  });

  it('changes nothing in a dry run, and says what it would do', async () => {
    await harness(staleRule('{ project: "acme/widgets" }'));
    seed(42, 3);
    h!.gitlab.clearRequests();
    const report = await run({ dryRun: true });
    expect(report).toMatchObject({ dry_run: true, acted: 3 });
    expect(report.items[0]?.calls).toEqual([{ kind: 'edit', method: 'PUT', path: '/projects/42/merge_requests/1', body: { add_labels: 'stale' }, rules: ['stale'] }]);
    expect(h!.gitlab.requests.every((r) => r.method === 'GET')).toBe(true);
    expect(staleCount(42, [1, 2, 3])).toBe(0);
  });

  it('reports a refused label, a 404 and a 403 on single items and goes on', async () => {
    await harness(staleRule('{ project: "acme/widgets" }'));
    seed(42, 5);
    h!.gitlab.inject({ method: 'PUT', path: '/projects/42/merge_requests/2', status: 400, body: { message: { labels: ['is invalid'] } } });
    h!.gitlab.inject({ method: 'PUT', path: '/projects/42/merge_requests/3', status: 404, body: { message: '404 Merge Request Not Found' } });
    h!.gitlab.inject({ method: 'PUT', path: '/projects/42/merge_requests/4', status: 403, body: { message: '403 Forbidden' } });
    const report = await run();
    expect(report.acted).toBe(2);
    expect(report.errors.map((e) => e.message)).toEqual([
      'PUT /projects/42/merge_requests/2: 400 Bad Request: labels is invalid',
      'PUT /projects/42/merge_requests/3: 404 Merge Request Not Found',
      'PUT /projects/42/merge_requests/4: 403 Forbidden',
    ]);
    expect(staleCount(42, [1, 5])).toBe(2);
  });

  it('reports a project it cannot list', async () => {
    await harness(staleRule('{ project: "acme/missing" }'));
    const report = await run();
    expect(report.errors).toEqual([{ message: 'GET /projects/acme%2Fmissing/merge_requests: 404 Project Not Found' }]);
  });

  it('never runs one rule twice at once', async () => {
    await harness(staleRule('{ project: "acme/widgets" }'));
    seed(42, 3);
    h!.gitlab.inject({ method: 'GET', path: '/projects/acme%2Fwidgets/merge_requests', delayMs: 200 });
    const [first, second] = await Promise.all([h!.server.bot.scheduler.runNow('stale'), h!.server.bot.scheduler.runNow('stale')]);
    expect(first).toMatchObject({ ran: true, report: { acted: 3 } });
    expect(second).toEqual({ ran: false, reason: 'a run of this rule is still going on' });
  });

  it('catches up a run missed while rulebot was down, once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rulebot-data-'));
    // Last run two days ago: today's 06:00 run was missed.
    const store = new SqliteStore(dataDir);
    await store.recordScheduleRun('stale', NOW - 2 * DAY);
    await store.close();
    const seedTwo = (gitlab: FakeGitLab) => {
      gitlab.addProject({ id: 42, path_with_namespace: 'acme/widgets' });
      for (const iid of [1, 2]) gitlab.addMergeRequest({ project_id: 42, iid, labels: [], updated_at: new Date(NOW - 40 * DAY).toISOString() });
    };
    const options = { rules: { 'stale.yml': staleRule('{ project: "acme/widgets" }') }, now: () => NOW, env: { DATA_DIR: dataDir }, seed: seedTwo };
    h = await startHarness(options);
    await expect.poll(() => staleCount(42, [1, 2]), { timeout: 5_000 }).toBe(2);
    await h.close();

    // Started again the same day: the run was recorded, nothing is caught up.
    h = await startHarness(options);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.gitlab.requests.filter((r) => r.path.endsWith('/merge_requests'))).toEqual([]);
  });
});

describe('rulebot schedule', () => {
  it('lists what a dry run would touch, with links, and touches nothing', async () => {
    await harness(staleRule('{ project: "acme/widgets" }'));
    seed(42, 2);
    const lines: string[] = [];
    const code = await runCli(
      ['schedule', 'stale', '--dry-run', '--rules', join(h!.server.config.rulesDir)],
      { GITLAB_URL: h!.gitlab.url, GITLAB_TOKEN: TOKEN },
      (line) => lines.push(line),
    );
    expect(code).toBe(0);
    expect(lines[0]).toBe(`would: add stale on ${h!.gitlab.url}/acme/widgets/-/merge_requests/1 (${h!.gitlab.mergeRequest(42, 1)!.title})`);
    expect(lines.at(-1)).toMatch(/^stale: scanned 2, matched 2, would act on 2, 0 errors, 1 API calls, [\d.]+ s \(dry run: nothing changed\)$/);
    expect(staleCount(42, [1, 2])).toBe(0);

    const json: string[] = [];
    await runCli(['schedule', 'stale', '--dry-run', '--json', '--rules', h!.server.config.rulesDir], { GITLAB_URL: h!.gitlab.url, GITLAB_TOKEN: TOKEN }, (line) => json.push(line));
    expect(JSON.parse(json[0]!)).toMatchObject({ rule: 'stale', dry_run: true, scanned: 2, acted: 2, items: [{ iid: 1 }, { iid: 2 }] });
  });

  it('names the schedule rules when the name is unknown', async () => {
    const lines: string[] = [];
    expect(await runCli(['schedule', 'nope', '--rules', 'examples/rules'], {}, (line) => lines.push(line))).toBe(2);
    expect(lines[0]).toBe('rulebot schedule: no schedule rule named "nope" in examples/rules (schedule rules: "mark stale merge requests", "close stale merge requests")');
  });
});

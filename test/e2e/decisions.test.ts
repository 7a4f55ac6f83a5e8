// End to end: the decision record of every event (GET /api/events), /metrics, `@bot why` and the logs, on both runtimes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture, mergeRequestPayload, notePayload, withoutMarker } from '../support/events.js';
import { BOT, diff, SECRET, type Harness, type NodeHarness } from '../support/harness.js';
import { runCli } from '../../src/runtime/node/cli/run.js';
import { RUNTIMES } from '../support/runtimes.js';

const RULES = `rules:
  - name: documentation
    on: merge_request.open
    if: { files: { all: ["docs/**", "**/*.md"] } }
    then: { add_labels: [documentation] }

  - name: backport reminder
    on: merge_request.open
    if:
      target_branch: "release/*"
      labels: { none: [backport] }
    then: { add_labels: [needs-backport] }
`;

const DEV = { id: 30, username: 'dev' };
const GUEST = { id: 10, username: 'guest' };
const auth = { authorization: `Bearer ${SECRET}` };

let h: Harness;

async function json(path: string, headers: Record<string, string> = auth): Promise<{ status: number; body: any }> {
  const response = await h.fetch(path, { headers });
  return { status: response.status, body: await response.json() };
}

/** `/metrics` once it shows `line`: on Workers each invocation adds its counts to the store object as it ends. */
async function metricsShowing(line: string): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = await (await h.fetch('/metrics', { headers: auth })).text();
    if (text.split('\n').includes(line) || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A series' value in the text format, 0 when it is not there. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

function seed() {
  h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  for (const user of [{ id: 1, username: 'root' }, DEV, GUEST]) h.gitlab.addUser(user);
  h.gitlab.addMember(1, { user_id: DEV.id, access_level: 30 });
  h.gitlab.addMember(1, { user_id: GUEST.id, access_level: 10 });
  h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: ['backport'], target_branch: 'release/2.0', diffs: [diff('docs/index.md', 3), diff('README.md', 2)] });
  h.gitlab.addNote({ id: 1244, project_id: 1, noteable_type: 'MergeRequest', noteable_iid: 1, body: 'why', author_id: DEV.id });
  h.gitlab.addNote({ id: 1245, project_id: 1, noteable_type: 'MergeRequest', noteable_iid: 1, body: 'why', author_id: GUEST.id });
}

const openEvent = () => mergeRequestPayload({ action: 'open', labels: ['backport'], targetBranch: 'release/2.0', title: 'Document the release' });

describe.each(RUNTIMES)('decision records ($name)', (runtime) => {
  beforeEach(async () => {
    h = await runtime.start({ rules: { 'labels.yml': RULES } });
    seed();
  });
  afterEach(async () => h.close());

  it('shows the rule that fired, the one that did not with its failing condition, the calls and the merge request', async () => {
    // Learning the bot's user at start was counted too: what this event adds is compared.
    const before = await (await h.fetch('/metrics', { headers: auth })).text();
    expect((await h.post(openEvent(), { 'idempotency-key': 'open-1' })).status).toBe(202);
    await h.settle();
    expect(h.callLines()).toEqual(['GET /projects/1/merge_requests/1/diffs', 'PUT /projects/1/merge_requests/1']);

    const { status, body } = await json('/api/events/open-1');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: 'open-1',
      event: 'merge_request.open',
      project: { id: 1, path: 'gitlabhq/gitlab-test' },
      subject: { kind: 'merge_request', iid: 1, title: 'Document the release', url: expect.stringContaining('/merge_requests/') },
      user: { id: 1, username: 'root' },
      outcome: 'done',
      reason: null,
      attempts: 1,
      dry_run: false,
      commands: [],
    });
    expect(Date.parse(body.finished_at)).toBeGreaterThanOrEqual(Date.parse(body.received_at));
    expect(body.rules).toEqual([
      { name: 'documentation', source: expect.stringMatching(/labels\.yml:2$/), fired: true, reason: null, condition: null, expected: null, found: null, undecided: false },
      {
        name: 'backport reminder',
        source: expect.stringMatching(/labels\.yml:7$/),
        fired: false,
        reason: 'labels.none: found "backport"',
        condition: 'labels.none',
        expected: 'no label matching backport',
        found: 'found "backport"',
        undecided: false,
      },
    ]);
    expect(body.calls).toEqual([
      { method: 'GET', path: '/projects/1/merge_requests/1/diffs', status: 200, duration_ms: expect.any(Number), retries: 0 },
      { method: 'PUT', path: '/projects/1/merge_requests/1', status: 200, duration_ms: expect.any(Number), retries: 0 },
    ]);
    expect(body.planned).toEqual([{ kind: 'edit', method: 'PUT', path: '/projects/1/merge_requests/1', rules: ['documentation'] }]);

    // Found again by what a person knows: the merge request, the rule, the outcome.
    const byMergeRequest = await json('/api/events?project=gitlabhq/gitlab-test&iid=!1');
    expect(byMergeRequest.body).toEqual({ events: [expect.objectContaining({ id: 'open-1' })], next_before: null });
    expect((await json('/api/events?rule=backport%20reminder')).body.events.map((e: any) => e.id)).toEqual(['open-1']);
    expect((await json('/api/events?outcome=dead_letter')).body.events).toEqual([]);
    expect(await json('/api/events?limit=0')).toMatchObject({ status: 400, body: { code: 'invalid_query', error: expect.stringContaining('limit') } });

    const metrics = await metricsShowing('rulebot_rule_fired_total{rule="documentation"} 1');
    const added = (series: string) => sample(metrics, series) - sample(before, series);
    expect({
      fired: added('rulebot_rule_fired_total{rule="documentation"}'),
      done: added('rulebot_events_processed_total{outcome="done"}'),
      accepted: added('rulebot_webhooks_total{kind="merge_request",status="accepted"}'),
      gets: added('rulebot_gitlab_requests_total{method="GET",status="200"}'),
      puts: added('rulebot_gitlab_requests_total{method="PUT",status="200"}'),
      timed: added('rulebot_gitlab_request_duration_seconds_count'),
    }).toEqual({ fired: 1, done: 1, accepted: 1, gets: 1, puts: 1, timed: 2 });
    expect(metrics.split('\n')).toEqual(
      expect.arrayContaining([
        'rulebot_queue_depth 0',
        'rulebot_oldest_pending_seconds 0',
        'rulebot_dead_letters 0',
        '# TYPE rulebot_gitlab_request_duration_seconds histogram',
        '# TYPE rulebot_schedule_runs_total counter',
        '# TYPE rulebot_rate_budget_wait_seconds_total counter',
      ]),
    );
    expect(metrics).not.toContain('backport reminder');
  });

  it('finds records by a plain number, !N or %23N, and refuses an empty iid (what a # in a URL leaves)', async () => {
    await h.post(openEvent(), { 'idempotency-key': 'open-1' });
    const issue = fixture('issue');
    issue['project'] = openEvent()['project'];
    issue['object_attributes']['iid'] = 1;
    await h.post(issue, { 'x-gitlab-event': 'Issue Hook', 'idempotency-key': 'issue-1' });
    await h.settle();
    const ids = async (query: string) => (await json(`/api/events?${query}`)).body.events.map((e: any) => e.id).sort();
    expect(await ids('iid=1')).toEqual(['issue-1', 'open-1']);
    expect(await ids('iid=!1')).toEqual(['open-1']);
    expect(await ids('iid=%231')).toEqual(['issue-1']);
    // `iid=#1` in a URL: the fragment is not sent, and what arrives is `iid=`.
    for (const query of ['iid=', 'iid=%20', 'project=gitlabhq/gitlab-test&iid=']) {
      expect(await json(`/api/events?${query}`)).toEqual({
        status: 400,
        body: { code: 'invalid_query', error: expect.stringMatching(/^invalid query: iid: empty: .*%2317.* a # in a URL begins its fragment/) },
      });
    }
    expect((await json('/api/events?iid=%23x')).body.error).toBe('invalid query: iid: expected a merge request or issue number such as 42, !42 or %2317 (#17)');
    // On the page, a field left blank is no filter.
    const page = await h.fetch('/ui?project=&iid=&rule=&outcome=', { headers: auth });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/ui/events/issue-1');
  });

  it('shows nothing without the token: not the records, not the metrics, not the page', async () => {
    await h.post(openEvent(), { 'idempotency-key': 'secret-1' });
    await h.settle();
    for (const path of ['/api/events', '/api/events/secret-1', '/metrics']) {
      const anonymous = await h.fetch(path);
      const text = await anonymous.text();
      expect([path, anonymous.status]).toEqual([path, 401]);
      expect(text).not.toContain('Document the release');
      expect(text).not.toContain('secret-1');
      const wrong = await h.fetch(path, { headers: { authorization: 'Bearer not-the-secret' } });
      expect([path, wrong.status]).toEqual([path, 401]);
    }
    for (const path of ['/ui', '/ui/events/secret-1', '/ui/dead-letters', '/ui/health']) {
      const page = await h.fetch(path, { redirect: 'manual' });
      expect([path, page.status]).toEqual([path, 303]);
      expect(page.headers.get('location')).toBe(`/ui/sign-in?next=${encodeURIComponent(path)}`);
      expect(await page.text()).not.toContain('Document the release');
    }
    const forged = await h.fetch('/ui/dead-letters/secret-1/retry', { method: 'POST', redirect: 'manual' });
    expect(forged.status).toBe(303);
  });

  it('answers `@bot why` with the same facts, to developers only, in two calls', async () => {
    await h.post(openEvent(), { 'idempotency-key': 'open-2' });
    await h.settle();
    h.gitlab.clearRequests();

    const note = (user: typeof DEV, noteId: number) =>
      notePayload({ body: '@rulebot why', userId: user.id, username: user.username, noteId, projectId: 1, path: 'gitlabhq/gitlab-test', iid: 1 });
    await h.post(note(DEV, 1244), { 'x-gitlab-event': 'Note Hook' });
    await h.settle();
    expect(h.callLines()).toEqual([`GET /projects/1/members/all/${DEV.id}`, 'POST /projects/1/merge_requests/1/notes']);
    const replies = () => h.gitlab.notes(1, 'MergeRequest', 1).filter((n) => n.author_id === BOT.id).map((n) => withoutMarker(n.body));
    const [reply] = replies();
    expect(reply!.split('\n')).toEqual([
      '@dev, the last event rulebot handled on this merge request, newest first:',
      '',
      expect.stringMatching(/^\*\*merge_request\.open\*\* by `root`, \d{4}-\d\d-\d\d \d\d:\d\d UTC: done \(event `open-2`\)$/),
      '- fired: `documentation`',
      '- did not fire: `backport reminder`: `labels.none: found "backport"`',
      '- GitLab: `GET /projects/1/merge_requests/1/diffs` 200, `PUT /projects/1/merge_requests/1` 200',
    ]);
    // The asking note has its own record, with the command's verdict.
    const asked = (await json('/api/events?project=gitlabhq/gitlab-test&iid=1')).body.events[0];
    expect(asked).toMatchObject({ event: 'note.create', commands: [{ command: 'why', line: '@rulebot why', status: 'why', reasons: [] }] });

    await h.post(note(GUEST, 1245), { 'x-gitlab-event': 'Note Hook' });
    await h.settle();
    expect(replies()[1]).toContain('`why` needs the Developer role or higher in this project; you have the Guest role');
    expect(replies()[1]).not.toContain('documentation');
  });

  it('is printed for people by `rulebot explain`, by event id or by merge request URL', async () => {
    await h.post(openEvent(), { 'idempotency-key': 'open-3' });
    await h.settle();
    const explain = async (args: string[], env: Record<string, string | undefined>) => {
      const lines: string[] = [];
      const code = await runCli(['explain', ...args], env, (line) => lines.push(...line.split('\n')));
      return { code, lines };
    };
    const overHttp = await explain(['open-3', '--url', h.url], { GITLAB_WEBHOOK_SECRET: SECRET });
    expect(overHttp.code).toBe(0);
    expect(overHttp.lines).toEqual([
      'merge_request.open on gitlabhq/gitlab-test!1 "Document the release"',
      expect.stringMatching(/^ {2}event open-3, received \S+, done; 1 attempt$/),
      '  by root',
      '  rules:',
      expect.stringMatching(/^ {4}fired {9}documentation {6}\(\S*labels\.yml:2\)$/),
      expect.stringMatching(/^ {4}did not fire {2}backport reminder {2}labels\.none: found "backport" {2}\(\S*labels\.yml:7\)$/),
      '  GitLab calls:',
      expect.stringMatching(/^ {4}GET \/projects\/1\/merge_requests\/1\/diffs {2}200 {2}\d+ ms$/),
      expect.stringMatching(/^ {4}PUT \/projects\/1\/merge_requests\/1 {8}200 {2}\d+ ms$/),
    ]);
    const url = 'https://gitlab.example.com/gitlabhq/gitlab-test/-/merge_requests/1';
    const byUrl = await explain([url, '--json', '--url', h.url], { UI_TOKEN: undefined, RULEBOT_TOKEN: SECRET });
    expect(byUrl.lines.map((line) => JSON.parse(line).id)).toEqual(['open-3']);
    expect(await explain(['open-3', '--url', h.url], { RULEBOT_TOKEN: 'wrong' })).toMatchObject({ code: 1, lines: [expect.stringContaining('answered 401')] });
    expect(await explain(['nope', '--url', h.url], { RULEBOT_TOKEN: SECRET })).toMatchObject({ code: 1, lines: [expect.stringContaining('no event with id "nope"')] });
    if (h.runtime === 'node') {
      // Without --url, Node's database in DATA_DIR is read, as `rulebot dead-letters` does.
      const local = await explain([url], { DATA_DIR: (h as NodeHarness).server.config.dataDir });
      expect(local.lines[0]).toBe('merge_request.open on gitlabhq/gitlab-test!1 "Document the release"');
    }
  });

  it('follows a failing event to the dead letters and back, counting its attempts', async () => {
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 403, body: { message: '403 Forbidden' } });
    await h.post(openEvent(), { 'idempotency-key': 'refused-1' });
    await h.settle();
    expect((await json('/api/events/refused-1')).body).toMatchObject({
      outcome: 'dead_letter',
      reason: 'labels (rule "documentation") refused: PUT /projects/1/merge_requests/1: 403 Forbidden',
      attempts: 1,
      calls: [
        { method: 'GET', path: '/projects/1/merge_requests/1/diffs', status: 200 },
        { method: 'PUT', path: '/projects/1/merge_requests/1', status: 403, retries: 0 },
      ],
      rules: [expect.objectContaining({ name: 'documentation', fired: true }), expect.objectContaining({ name: 'backport reminder', fired: false })],
    });
    expect((await json('/api/events?outcome=dead_letter')).body.events.map((e: any) => e.id)).toEqual(['refused-1']);

    expect((await h.fetch('/dead-letters/refused-1/retry', { method: 'POST', headers: auth })).status).toBe(202);
    await h.settle();
    const after = (await json('/api/events/refused-1')).body;
    expect(after).toMatchObject({ outcome: 'done', reason: null, attempts: 2 });
    // The refusal that made the dead letter stays among the event's calls, before the attempt that succeeded.
    expect(after.calls.map((call: any) => `${call.method} ${call.path} ${call.status}`)).toEqual([
      'GET /projects/1/merge_requests/1/diffs 200',
      'PUT /projects/1/merge_requests/1 403',
      'PUT /projects/1/merge_requests/1 200',
    ]);
    const metrics = await metricsShowing('rulebot_events_processed_total{outcome="done"} 1');
    expect(metrics).toContain('rulebot_events_processed_total{outcome="dead_letter"} 1');
    expect(sample(metrics, 'rulebot_gitlab_requests_total{method="PUT",status="403"}')).toBe(1);
  });

  it('records deliveries it does not act on: other kinds, its own events, repeats', async () => {
    expect((await h.post({ object_kind: 'build', project_id: 1, project: { id: 1, path_with_namespace: 'gitlabhq/gitlab-test' } }, { 'x-gitlab-event': 'Job Hook' })).status).toBe(200);
    await h.post(mergeRequestPayload({ action: 'update', userId: BOT.id, username: BOT.username }));
    await h.post(openEvent(), { 'idempotency-key': 'twice' });
    await h.settle();
    await h.post(openEvent(), { 'idempotency-key': 'twice' });
    await h.settle();

    const ignored = (await json('/api/events?outcome=ignored')).body.events;
    expect(ignored.map((e: any) => [e.event, e.reason, e.project?.path])).toEqual([
      ['merge_request.update', "event caused by rulebot's own user", 'gitlabhq/gitlab-test'],
      ['build', 'rulebot does not act on "build" events', 'gitlabhq/gitlab-test'],
    ]);
    const duplicates = (await json('/api/events?outcome=duplicate')).body.events;
    expect(duplicates).toEqual([expect.objectContaining({ event: 'merge_request.open', reason: expect.stringContaining('event twice'), subject: expect.objectContaining({ iid: 1 }) })]);
    expect((await json('/api/events/twice')).body).toMatchObject({ outcome: 'done', attempts: 1 });
    expect((await h.post(openEvent(), { 'x-gitlab-token': 'forged' })).status).toBe(401);
    const metrics = await metricsShowing('rulebot_webhooks_total{kind="merge_request",status="invalid_token"} 1');
    expect(metrics).toContain('rulebot_webhooks_total{kind="merge_request",status="duplicate"} 1');
    expect(metrics).toContain('rulebot_webhooks_total{kind="job",status="ignored"} 1');
    expect(metrics).toContain('rulebot_webhooks_total{kind="merge_request",status="ignored"} 1');
  });

  it('logs as many calls for each event as its record lists: every GitLab request it made', async () => {
    await h.close();
    // Projects' own rule files on (the default): the first event of a project looks for one.
    h = await runtime.start({ rules: { 'labels.yml': RULES }, env: { PROJECT_CONFIG_FILE: undefined } });
    seed();
    const processed = (id: string) => h.logs.map((line) => JSON.parse(line)).find((line) => line.msg === 'event processed' && line.event_id === id);
    const recorded = async (id: string) => {
      const record = (await json(`/api/events/${id}`)).body;
      return record.calls.length + record.calls_omitted;
    };

    await h.post(openEvent(), { 'idempotency-key': 'open-3' });
    await h.settle();
    expect(h.callLines().sort()).toEqual(['GET /projects/1/merge_requests/1/diffs', 'GET /projects/gitlabhq%2Fgitlab-test/repository/files/.gitlab%2Frulebot.yml/raw', 'PUT /projects/1/merge_requests/1']);
    expect(await recorded('open-3')).toBe(3);
    expect(processed('open-3')).toMatchObject({ calls: 3 });

    h.gitlab.clearRequests();
    const why = notePayload({ body: '@rulebot why', userId: DEV.id, username: DEV.username, noteId: 1244, projectId: 1, path: 'gitlabhq/gitlab-test', iid: 1 });
    await h.post(why, { 'x-gitlab-event': 'Note Hook', 'idempotency-key': 'why-3' });
    await h.settle();
    expect(h.callLines()).toHaveLength(2);
    expect(await recorded('why-3')).toBe(2);
    expect(processed('why-3')).toMatchObject({ calls: 2 });
  });

  it('writes the project, the merge request and the event id on every log line about the event', async () => {
    const linesOf = (id: string) =>
      h.logs.flatMap((line) => {
        try {
          const parsed = JSON.parse(line);
          return parsed.event_id === id ? [parsed] : [];
        } catch {
          return [];
        }
      });
    await h.post(openEvent(), { 'idempotency-key': 'logged-1' });
    await h.settle();
    await h.post(openEvent(), { 'idempotency-key': 'logged-1' });
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 403, body: { message: '403 Forbidden' } });
    await h.post(openEvent(), { 'idempotency-key': 'logged-2' });
    await h.settle();
    expect(linesOf('logged-1').map((line) => line.msg)).toEqual(expect.arrayContaining(['event accepted', 'event processed', 'duplicate delivery ignored']));
    expect(linesOf('logged-2').map((line) => line.msg)).toEqual(expect.arrayContaining(['event accepted', 'event failed for good; kept as a dead letter']));
    for (const line of [...linesOf('logged-1'), ...linesOf('logged-2')]) expect(line).toMatchObject({ project: 'gitlabhq/gitlab-test', subject: '!1' });
  });
});

describe.each(RUNTIMES)('schedule run records ($name)', (runtime) => {
  const clock = { now: Date.parse('2024-03-01T06:00:00Z') };
  const rules = `rules:
  - name: stale
    on: schedule
    schedule: "0 6 * * *"
    resource: merge_requests
    scope: { project: gitlabhq/gitlab-test }
    if: { updated: { older_than: 30d } }
    then: { add_labels: [stale] }
`;
  beforeEach(async () => {
    h = await runtime.start({ rules: { 'stale.yml': rules }, now: () => clock.now });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 3, title: 'Old work', updated_at: '2024-01-01T00:00:00Z' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 4, title: 'Fresh work', updated_at: '2024-02-28T00:00:00Z' });
  });
  afterEach(async () => h.close());

  it('keeps its counts and the items it acted on', async () => {
    await h.cron();
    const [run] = (await json('/api/events?event=schedule')).body.events;
    expect(run).toMatchObject({
      id: 'schedule:stale:2024-03-01T06:00:00.000Z',
      event: 'schedule',
      outcome: 'done',
      schedule: { rule: 'stale', acted: 1, items: [{ project: 'gitlabhq/gitlab-test', iid: 3, title: 'Old work', calls: ['PUT /projects/1/merge_requests/3'] }] },
    });
    expect(run.schedule.scanned).toBeGreaterThanOrEqual(1);
    expect(run.calls).toEqual(expect.arrayContaining([expect.objectContaining({ method: 'PUT', path: '/projects/1/merge_requests/3', status: 200 })]));
    const metrics = await metricsShowing('rulebot_schedule_runs_total{rule="stale",outcome="done"} 1');
    expect(metrics).toContain('rulebot_schedule_runs_total{rule="stale",outcome="done"} 1');
  });
});

// End to end: the quick-action guard, dry-run, assignments and start-up refusals.
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, mergeRequestPayload, WELCOME_RULES, withoutMarker } from '../support/events.js';
import { BOT, diff, startHarness, TOKEN, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function readyz() {
  const response = await h!.fetch('/readyz');
  return { status: response.status, body: await response.json() };
}

const echoTitle = `rules:
  - name: echo title
    on: merge_request.open
    then:
      comment: "{{ title }}"
`;

describe.each(RUNTIMES)('guards ($name)', (runtime) => {
  it('never lets a merge request title run quick actions with the bot\'s rights', async () => {
    h = await runtime.start({ rules: { 'echo.yml': echoTitle } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [] });

    await h.post(mergeRequestPayload({ title: '/close\n/label ~"security"' }));
    await h.settle();

    // Had the title reached GitLab as typed, the fake (like GitLab) would have closed the MR and added the label.
    expect(h.gitlab.mergeRequest(1, 1)).toMatchObject({ state: 'opened', labels: [] });
    expect(h.gitlab.notes(1, 'MergeRequest', 1).map((n) => withoutMarker(n.body))).toEqual(['\\/close /label ~"security"']);
  });

  it('in dry-run, reads what it needs and logs the exact writes it would make, making none', async () => {
    h = await runtime.start({ env: { DRY_RUN: '1' } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: ['API'], diffs: [diff('docs/a.md')] });

    await h.post(mergeRequestPayload({ action: 'open' }));
    await h.settle();

    expect(h.callLines()).toEqual(['GET /projects/1/merge_requests/1/diffs']);
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['API']);
    const planned = h.logs.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'dry run: would call GitLab');
    expect(planned).toMatchObject([
      { method: 'PUT', path: '/projects/1/merge_requests/1', body: { add_labels: 'documentation' }, rules: ['documentation label'] },
    ]);
    expect(h.logs.some((line) => line.includes('dry-run mode (DRY_RUN is set)'))).toBe(true);
  });

  it('adds assignees and reviewers to the ones already there, resolving usernames once', async () => {
    h = await runtime.start({
      rules: {
        'people.yml': `rules:
  - name: assign and review
    on: merge_request.open
    then:
      assign: [alice]
      request_review: ["@bob", alice]
`,
      },
    });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addUser({ id: 6, username: 'user1' });
    h.gitlab.addUser({ id: 21, username: 'alice' });
    h.gitlab.addUser({ id: 22, username: 'bob' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, assignee_ids: [6], reviewer_ids: [6] });

    // GitLab's example payload shows user1 (id 6) as assignee and reviewer already.
    await h.post(mergeRequestPayload({ action: 'open' }));
    await h.post(mergeRequestPayload({ action: 'open' }));
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)).toMatchObject({ assignee_ids: [6, 21], reviewer_ids: [6, 22, 21] });
    expect(h.callLines().filter((line) => line.startsWith('GET /users'))).toEqual(['GET /users', 'GET /users']);
  });

  it('reads the merge request before adding people on a note event, whose payload does not list them', async () => {
    h = await runtime.start({
      rules: { 'triage.yml': 'rules:\n  - name: take it\n    on: note\n    then: { assign: [alice] }\n' },
    });
    h.gitlab.addProject({ id: 5, path_with_namespace: 'gitlab-org/gitlab-test' });
    h.gitlab.addUser({ id: 28, username: 'user28' });
    h.gitlab.addUser({ id: 21, username: 'alice' });
    h.gitlab.addMergeRequest({ project_id: 5, iid: 1, assignee_ids: [28] });

    await h.post(fixture('note_merge_request'), { 'x-gitlab-event': 'Note Hook' });
    await h.settle();
    expect(h.gitlab.mergeRequest(5, 1)?.assignee_ids).toEqual([28, 21]);
    expect(h.callLines()).toEqual(['GET /projects/5/merge_requests/1', 'GET /users', 'PUT /projects/5/merge_requests/1']);
  });

  it('posts one comment per rule, even when two rules say the same', async () => {
    const same = 'then: { comment: "Please add a changelog entry." }';
    h = await runtime.start({
      rules: { 'twice.yml': `rules:\n  - { name: one, on: merge_request.open, ${same} }\n  - { name: two, on: merge_request.open, ${same} }\n` },
    });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1 });
    await h.post(mergeRequestPayload({ action: 'open' }));
    await h.settle();
    expect(h.gitlab.notes(1, 'MergeRequest', 1).map((n) => withoutMarker(n.body))).toEqual([
      'Please add a changelog entry.',
      'Please add a changelog entry.',
    ]);
  });

  it('is ready while its store is open and GitLab answers, naming each check', async () => {
    h = await runtime.start();
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready', checks: { store: true, rules: 5, gitlab: true, accepting: true } } });
  });

  it('starts with a short webhook secret, warning that it can be guessed without showing it', async () => {
    h = await runtime.start({ env: { GITLAB_WEBHOOK_SECRET: 'hunter2' } });
    await h.fetch('/healthz');
    const warning = h.logs.find((line) => line.includes('GITLAB_WEBHOOK_SECRET: value 1 of 1 is 7 characters long'));
    expect(warning).toContain('shorter than 16 characters can be guessed');
    expect(h.logs.join('\n')).not.toContain('hunter2');
  });

  it('refuses to start with a token but no webhook secret, saying how to set it', async () => {
    await expect(runtime.start({ env: { GITLAB_WEBHOOK_SECRET: undefined } })).rejects.toThrow(
      /GITLAB_WEBHOOK_SECRET is required when GITLAB_TOKEN is set.*Settings > Webhooks/,
    );
  });

  it('refuses to start with a token GitLab rejects', async () => {
    // The first call at start asks GitLab about the token itself.
    await expect(runtime.start({ env: { GITLAB_TOKEN: 'expired' } })).rejects.toThrow(/refused GITLAB_TOKEN \(GET \/personal_access_tokens\/self: 401 Unauthorized\)/);
  });

  it('refuses to start with invalid rules, naming file, rule and field', async () => {
    await expect(runtime.start({ rules: { 'bad.yml': 'rules:\n  - name: x\n    on: issue\n    then: { add_labels: 5 }\n' } })).rejects.toThrow(
      /bad\.yml:4: rule "x": then\.add_labels: expected a list of label names, got a number \(5\)/,
    );
  });

  // A CI job token is refused at start (test/e2e/tokens.test.ts): it cannot edit merge requests.
  it.each([
    ['private', 'private-token'],
    ['oauth', 'authorization'],
  ])('sends a %s token in the %s header', async (type, header) => {
    h = await runtime.start({ env: { GITLAB_TOKEN_TYPE: type } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, diffs: [diff('docs/a.md')] });
    await h.post(mergeRequestPayload({ action: 'open' }));
    await h.settle();
    const sent = h.gitlab.requests[0]?.headers[header];
    expect(sent).toBe(type === 'oauth' ? `Bearer ${TOKEN}` : TOKEN);
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toContain('documentation');
  });
});

// Moves rulebot's own clock: the Worker harness's `now` moves only the fake GitLab's, and a real minute is too long to wait.
describe('guards on Node', () => {
  it('is not ready once GitLab has not answered for a minute and does not answer when asked again', async () => {
    let now = Date.parse('2026-05-01T00:00:00Z');
    h = await startHarness({ now: () => now });
    expect((await readyz()).status).toBe(200);

    // Two minutes without an answer from GitLab: readiness asks again, and GitLab is down.
    now += 120_000;
    h.gitlab.inject({ path: '/user', status: 503, times: 20 });
    expect(await readyz()).toMatchObject({ status: 503, body: { status: 'not ready', checks: { gitlab: false } } });
  });

  it('starts while GitLab cannot be reached, accepts and stores webhooks, and acts on them once it answers', async () => {
    // Every connection to GitLab is reset, as when GitLab restarts along with rulebot.
    h = await startHarness({ rules: { 'welcome.yml': WELCOME_RULES }, seed: (gitlab) => gitlab.inject({ path: '/user', reset: true, times: 1_000_000 }) });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [] });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 2, labels: [] });

    expect((await h.post(mergeRequestPayload({ iid: 1, labels: [] }))).status).toBe(202);
    // The bot's own event cannot be recognised yet: it is accepted, and skipped once the bot is known.
    expect((await h.post(mergeRequestPayload({ iid: 2, labels: [], userId: BOT.id, username: BOT.username }))).status).toBe(202);
    const notReady = await readyz();
    expect(notReady).toMatchObject({ status: 503, body: { status: 'not ready' } });
    expect(notReady.body.checks.gitlab).toMatch(new RegExp(`^cannot reach GitLab at ${h.gitlab.url.replace(/[.:/]/g, '\\$&')}: GET /user: `));
    expect(h.logs.some((line) => line.includes('webhooks are accepted and stored, and run once it answers'))).toBe(true);
    expect(h.gitlab.calls('PUT')).toEqual([]);

    h.gitlab.clearFaults();
    await expect.poll(() => h!.gitlab.mergeRequest(1, 1)?.labels, { timeout: 10_000, interval: 50 }).toEqual(['triaged']);
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 2)?.labels).toEqual([]);
    expect(h.gitlab.calls('PUT').map((call) => call.path)).toEqual(['/projects/1/merge_requests/1']);
    expect((await readyz()).status).toBe(200);
  });
});

// End to end: GitLab's merge request payloads through the real server to label changes in a fake GitLab.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload, withoutMarker } from '../support/events.js';
import { BOT, diff, SECRET, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

let h: Harness;

function seedMergeRequest(options: { labels?: string[]; diffs?: ReturnType<typeof diff>[]; target?: string; assignees?: number[] } = {}) {
  h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  h.gitlab.addUser({ id: 1, username: 'root' });
  return h.gitlab.addMergeRequest({
    project_id: 1,
    iid: 1,
    labels: options.labels ?? ['API'],
    target_branch: options.target ?? 'master',
    diffs: options.diffs ?? [diff('docs/index.md', 3), diff('README.md', 2)],
    assignee_ids: options.assignees ?? [],
  });
}

describe.each(RUNTIMES)('auto-labeling with the shipped rules ($name)', (runtime) => {
  beforeEach(async () => {
    h = await runtime.start();
  });
  afterEach(async () => h.close());

  it('labels a docs-only merge request with one PUT after reading its diffs, and acts once per delivery', async () => {
    seedMergeRequest();
    const payload = mergeRequestPayload({ action: 'open', labels: ['API'] });

    const first = await h.post(payload, { 'idempotency-key': 'delivery-1' });
    expect(first).toEqual({ status: 202, body: { status: 'accepted', event_id: 'delivery-1' } });
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['API', 'documentation']);
    expect(h.callLines()).toEqual(['GET /projects/1/merge_requests/1/diffs', 'PUT /projects/1/merge_requests/1']);
    expect(h.gitlab.calls('PUT')[0]?.body).toEqual({ add_labels: 'documentation' });

    // GitLab's "Resend" keeps the Idempotency-Key: the repeat is recognised and nothing happens.
    h.gitlab.clearRequests();
    const again = await h.post(payload, { 'idempotency-key': 'delivery-1' });
    expect(again).toEqual({ status: 200, body: { status: 'duplicate', event_id: 'delivery-1' } });
    await h.settle();
    expect(h.callLines()).toEqual([]);
  });

  it('makes no call at all for an update whose payload already shows the label', async () => {
    seedMergeRequest({ labels: ['API', 'documentation'] });
    await h.post(mergeRequestPayload({ action: 'open', labels: ['API'] }));
    await h.settle();
    h.gitlab.clearRequests();

    // Same merge request version: the changed files are remembered, and the label is already there.
    await h.post(mergeRequestPayload({ action: 'update', labels: ['API', 'documentation'] }));
    await h.settle();
    expect(h.callLines()).toEqual([]);
  });

  it('reads diffs again for a new version, following pagination to the last page', async () => {
    const many = Array.from({ length: 150 }, (_, i) => diff(`docs/page-${i}.md`, 1));
    seedMergeRequest({ diffs: many });
    await h.post(mergeRequestPayload({ action: 'update', labels: ['API'], sha: 'aaaa' }));
    await h.settle();
    expect(h.callLines()).toEqual([
      'GET /projects/1/merge_requests/1/diffs',
      'GET /projects/1/merge_requests/1/diffs',
      'PUT /projects/1/merge_requests/1',
    ]);
    expect(h.gitlab.calls('GET').map((r) => r.query['page'] ?? '1')).toEqual(['1', '2']);
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toContain('documentation');
  });

  it('labels a large change and leaves mixed changes unlabelled as documentation', async () => {
    seedMergeRequest({ labels: [], diffs: [diff('src/big.ts', 350), diff('docs/a.md', 60)] });
    await h.post(mergeRequestPayload({ action: 'open', labels: [] }));
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['size::large']);
  });

  it('comments on release branches, mentioning the author, in one PUT and one note', async () => {
    seedMergeRequest({ labels: [], target: 'release/2.0', diffs: [diff('src/a.ts', 1)] });
    await h.post(mergeRequestPayload({ action: 'open', labels: [], targetBranch: 'release/2.0', username: 'root' }));
    await h.settle();
    expect(h.callLines()).toEqual([
      'GET /projects/1/merge_requests/1/diffs',
      'PUT /projects/1/merge_requests/1',
      'POST /projects/1/merge_requests/1/notes',
    ]);
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['backport']);
    expect(h.gitlab.notes(1, 'MergeRequest', 1).map((n) => withoutMarker(n.body))).toEqual([
      '@root, this merge request targets release/2.0: please link the original merge request.',
    ]);
  });

  it('sends the delivery\'s X-Gitlab-Event-UUID on every call, and ignores the bot\'s own events', async () => {
    seedMergeRequest();
    await h.post(mergeRequestPayload({ action: 'open' }), { 'x-gitlab-event-uuid': 'chain-42' });
    await h.settle();
    expect(h.gitlab.requests.map((r) => r.headers['x-gitlab-event-uuid'])).toEqual(['chain-42', 'chain-42']);

    h.gitlab.clearRequests();
    const own = await h.post(mergeRequestPayload({ action: 'update', userId: BOT.id, username: BOT.username, labels: [] }));
    expect(own).toEqual({ status: 200, body: { status: 'ignored', reason: "event caused by rulebot's own user" } });
    await h.settle();
    expect(h.callLines()).toEqual([]);
  });

  it('retries GitLab failures with back-off and honours Retry-After', async () => {
    seedMergeRequest();
    h.gitlab.inject({ method: 'GET', path: /diffs$/, status: 502 });
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 429, headers: { 'retry-after': '0' } });
    await h.post(mergeRequestPayload({ action: 'open' }));
    await h.settle();
    expect(h.callLines()).toEqual([
      'GET /projects/1/merge_requests/1/diffs',
      'GET /projects/1/merge_requests/1/diffs',
      'PUT /projects/1/merge_requests/1',
      'PUT /projects/1/merge_requests/1',
    ]);
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['API', 'documentation']);
  });

  it('runs every event of a burst of deliveries, eight in flight at a time, each once', async () => {
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    for (let iid = 1; iid <= 60; iid++) h.gitlab.addMergeRequest({ project_id: 1, iid, labels: [], diffs: [diff('docs/index.md', 2)] });
    let next = 1;
    const answers: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let iid = next++; iid <= 60; iid = next++) answers.push((await h.post(mergeRequestPayload({ action: 'open', iid, labels: [] }))).status);
      }),
    );
    expect(answers).toEqual(Array(60).fill(202));
    await h.settle();
    const labelled = Array.from({ length: 60 }, (_, i) => h.gitlab.mergeRequest(1, i + 1)?.labels);
    expect(labelled).toEqual(Array(60).fill(['documentation']));
    expect(h.gitlab.calls('PUT')).toHaveLength(60);
  });

  it('accepts and runs a 3 MB event (a long description), kept in parts where one value may hold 2 MB', async () => {
    seedMergeRequest();
    const payload = mergeRequestPayload({ action: 'open' });
    payload['object_attributes']['description'] = 'ü'.repeat(1_500_000);
    expect(JSON.stringify(payload).length).toBeGreaterThan(1_500_000);
    expect((await h.post(payload)).status).toBe(202);
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['API', 'documentation']);
  });

  it('keeps a refused call as a dead letter with GitLab\'s own message, and keeps serving', async () => {
    seedMergeRequest();
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 403, body: { message: '403 Forbidden' } });
    await h.post(mergeRequestPayload({ action: 'open' }), { 'idempotency-key': 'refused-1' });
    await h.settle();
    expect(h.logs.some((line) => line.includes('dead letter') && line.includes('refused: PUT /projects/1/merge_requests/1: 403 Forbidden'))).toBe(true);
    const status = await h.status();
    expect(status.queue).toMatchObject({ depth: 0, dead_letters: 1, last_error: { job: 'refused-1', message: 'labels (rule "documentation label") refused: PUT /projects/1/merge_requests/1: 403 Forbidden' } });
    expect(h.gitlab.calls('PUT')).toHaveLength(1);

    await h.post(mergeRequestPayload({ action: 'open' }));
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toContain('documentation');
  });

  it('lists dead letters and puts one back once the cause is fixed, to those holding the secret', async () => {
    seedMergeRequest({ labels: [] });
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 403, body: { message: '403 Forbidden' } });
    await h.post(mergeRequestPayload({ action: 'open', labels: [] }), { 'idempotency-key': 'refused-2' });
    await h.settle();

    const auth = { authorization: `Bearer ${SECRET}` };
    expect((await h.fetch('/dead-letters')).status).toBe(401);
    const listed = await (await h.fetch('/dead-letters', { headers: auth })).json();
    expect(listed).toEqual({
      dead_letters: [
        { id: 'refused-2', project_id: 1, event_uuid: expect.any(String), received_at: expect.any(String), failed_at: expect.any(String), attempts: 1, reason: 'labels (rule "documentation label") refused: PUT /projects/1/merge_requests/1: 403 Forbidden' },
      ],
    });

    // The token got its role back: the event is put back and runs, reading nothing it knows already.
    h.gitlab.clearRequests();
    const retried = await h.fetch('/dead-letters/refused-2/retry', { method: 'POST', headers: auth });
    expect(retried.status).toBe(202);
    expect(await retried.json()).toEqual({ status: 'queued', event_id: 'refused-2' });
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['documentation']);
    expect(h.callLines()).toEqual(['PUT /projects/1/merge_requests/1']);
    expect((await h.status()).queue).toMatchObject({ depth: 0, dead_letters: 0 });

    const unknown = await h.fetch('/dead-letters/nope/retry', { method: 'POST', headers: auth });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'not_found', error: expect.stringContaining('GET /dead-letters') });
  });
});

describe.each(RUNTIMES)('one fact GitLab cannot give ($name)', (runtime) => {
  const rules = `rules:
  - name: documentation
    on: merge_request.open
    if: { files: { all: ["docs/**", "**/*.md"] } }
    then: { add_labels: [documentation] }
  - name: from a bot
    on: merge_request.open
    if: { author: { in: [renovate-bot] } }
    then: { add_labels: [dependencies] }
  - name: documentation by a bot
    on: merge_request.open
    if: { files: { all: ["docs/**"] }, author: { in: [renovate-bot] } }
    then: { add_labels: [bot-docs] }
`;
  beforeEach(async () => {
    h = await runtime.start({ rules: { 'labels.yml': rules } });
  });
  afterEach(async () => h.close());

  it('leaves undecided only the rules that need it: an author GitLab answers 404 for does not stop the files rules', async () => {
    // The example's author (id 51) is unknown to GitLab: GET /users/51 answers 404.
    seedMergeRequest({ diffs: [diff('docs/index.md', 3), diff('README.md', 2)] });
    expect((await h.post(mergeRequestPayload({ action: 'open', labels: ['API'], authorId: 51 }))).status).toBe(202);
    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['API', 'documentation']);
    expect(h.callLines()).toEqual(['GET /projects/1/merge_requests/1/diffs', 'GET /users/51', 'PUT /projects/1/merge_requests/1']);
    const undecided = h.logs.filter((line) => line.includes('rule not evaluated')).map((line) => JSON.parse(line).rule);
    expect(undecided.sort()).toEqual(['from a bot']);
    expect(await h.status()).toMatchObject({ queue: { depth: 0, dead_letters: 0 } });
  });
});

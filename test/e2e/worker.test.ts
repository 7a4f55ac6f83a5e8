// End to end, Workers only: the platform's parts rulebot relies on — queue retries, the dead-letter
// queue, scans continued through the queue, the bot user cached in KV — in Miniflare.
import { afterEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload, WELCOME_RULES, withoutMarker } from '../support/events.js';
import { BOT, diff, SECRET, TOKEN } from '../support/harness.js';
import { startWorkerHarness, type WorkerHarness, type WorkerHarnessOptions } from '../support/worker-harness.js';

let h: WorkerHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(options: WorkerHarnessOptions = {}) {
  h = await startWorkerHarness(options);
  h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  h.gitlab.addUser({ id: 1, username: 'root' });
  h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: ['API'], diffs: [diff('docs/index.md', 3)] });
  return h;
}

/** Waits until the Worker has written a log line matching `pattern`. */
async function logLine(h: WorkerHarness, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const line = h.logs.find((candidate) => pattern.test(candidate));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no log line matches ${pattern}:\n${h.logs.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Workers: queue consumer', () => {
  it('retries an event whose GitLab call failed through the queue, and makes each call once', async () => {
    // No retries inside one attempt: the 500 fails the attempt, and the queue delivers the event again.
    await start({ env: { GITLAB_RETRIES: '0' } });
    h!.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 500 });
    expect((await h!.post(mergeRequestPayload({ action: 'open' }), { 'idempotency-key': 'retried-1' })).status).toBe(202);
    await h!.settle();
    expect(h!.callLines()).toEqual([
      'GET /projects/1/merge_requests/1/diffs',
      'PUT /projects/1/merge_requests/1',
      // The second delivery: the diffs are remembered by the isolate, the PUT is made again.
      'PUT /projects/1/merge_requests/1',
    ]);
    expect(h!.gitlab.mergeRequest(1, 1)?.labels).toEqual(['API', 'documentation']);
    await logLine(h!, /"msg":"event failed; will retry".*"event_id":"retried-1"/);
    expect((await h!.status()).queue).toMatchObject({ depth: 0, dead_letters: 0 });
  });

  it('sends an event that fails on every delivery to the dead-letter queue, where it becomes a dead letter', async () => {
    await start({ env: { GITLAB_RETRIES: '0' }, maxRetries: 2 });
    h!.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 500, times: Infinity });
    await h!.post(mergeRequestPayload({ action: 'open' }), { 'idempotency-key': 'poison-1' });
    await h!.settle();
    // Three deliveries (the first and max_retries = 2), then the dead-letter queue's consumer records it.
    expect(h!.gitlab.calls('PUT')).toHaveLength(3);
    const { queue } = await h!.status();
    expect(queue).toMatchObject({ depth: 0, dead_letters: 1, last_error: { job: 'poison-1' } });
    expect(queue.last_error.message).toBe('the queue gave up after its retries; last error: PUT /projects/1/merge_requests/1: 500 Internal Server Error');
    // Each delivery began an attempt: the dead letter counts all three.
    const listed = await (await h!.fetch('/dead-letters', { headers: { authorization: `Bearer ${SECRET}` } })).json();
    expect(listed.dead_letters).toMatchObject([{ id: 'poison-1', attempts: 3 }]);
  });

  it('lets a message no deployment could have sent go round the retries to the dead-letter queue, saying what it was', async () => {
    await start({ maxRetries: 1 });
    await h!.sendToQueue({ hello: 'world' });
    const line = await logLine(h!, /dead-letter queue cannot be recorded/);
    expect(JSON.parse(line)).toMatchObject({ level: 'error', message: { hello: 'world' } });
    expect(h!.logs.filter((candidate) => candidate.includes('queue message failed; the queue delivers it again'))).toHaveLength(2);
  });

  it('runs an event once when two messages for it arrive together, whatever carried the second', async () => {
    await start({ rules: { 'welcome.yml': WELCOME_RULES } });
    // The cron trigger's resend of an event, or the queue delivering twice: two messages, one event.
    expect((await h!.post(mergeRequestPayload({ action: 'open' }), { 'idempotency-key': 'twice-1' })).status).toBe(202);
    await h!.sendToQueue({ type: 'event', id: 'twice-1' });
    await h!.sendToQueue({ type: 'event', id: 'twice-1' });
    await h!.settle();
    expect(h!.gitlab.calls('PUT')).toHaveLength(1);
    expect(h!.gitlab.notes(1, 'MergeRequest', 1).map((note) => withoutMarker(note.body))).toEqual(['Thanks for !1.']);
  });

  it('answers a duplicate delivery from the store object, before anything is queued', async () => {
    await start();
    const payload = mergeRequestPayload({ action: 'open' });
    expect((await h!.post(payload, { 'idempotency-key': 'twice' })).status).toBe(202);
    expect(await h!.post(payload, { 'idempotency-key': 'twice' })).toEqual({ status: 200, body: { status: 'duplicate', event_id: 'twice' } });
    await h!.settle();
    expect(h!.gitlab.calls('PUT')).toHaveLength(1);
  });
});

const SCAN_NOW = Date.parse('2026-03-01T06:00:00Z');

/** A Worker with a "stale" rule due at every trigger, scanning `stepItems` per message, and ten stale merge requests. */
async function startScanning(stepItems: number, limit?: number) {
  const rules = { 'stale.yml': `rules:
  - name: stale
    on: schedule
    schedule: "*/5 * * * *"
    resource: merge_requests
    scope: { project: "gitlabhq/gitlab-test" }
    if: { updated: { older_than: 30d }, labels: { none: [stale] } }
    ${limit === undefined ? '' : `limit: ${limit}`}
    then: { add_labels: [stale] }
` };
  h = await startWorkerHarness({ rules, env: { SCAN_STEP_ITEMS: String(stepItems) }, now: () => SCAN_NOW });
  h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  for (let iid = 1; iid <= 10; iid++) {
    const updated = new Date(SCAN_NOW - (40 + iid) * 86_400_000).toISOString();
    h.gitlab.addMergeRequest({ project_id: 1, iid, labels: [], created_at: updated, updated_at: updated });
  }
  return h;
}

describe('Workers: schedule scans through the queue', () => {
  it('continues a scan over queue messages from where the last step stopped', async () => {
    const h = await startScanning(4);
    await h.cron();
    expect(h.gitlab.calls('PUT')).toHaveLength(10);
    // Three steps of at most 4 items, one listing each; each later step lists from the last item the previous one saw.
    const lists = h.gitlab.calls('GET');
    expect(lists).toHaveLength(3);
    expect(lists.map((r) => r.query['updated_after'])).toEqual([
      undefined,
      new Date(SCAN_NOW - 47 * 86_400_000).toISOString(),
      new Date(SCAN_NOW - 43 * 86_400_000).toISOString(),
    ]);
    expect(JSON.parse(await logLine(h, /schedule: run finished/))).toMatchObject({ rule: 'stale', scanned: 10, acted: 10, steps: 3 });
  });

  it('acts within the rule\'s limit and keeps one chain of steps when the queue delivers each step twice', async () => {
    const h = await startScanning(4, 6);
    const worker = await h.miniflare.getWorker();
    await worker.scheduled({ scheduledTime: new Date(SCAN_NOW), cron: '*/5 * * * *' });
    await h.sendToQueue({ type: 'scan', rule: 'stale', started_at: SCAN_NOW, step: 1 });
    await h.sendToQueue({ type: 'scan', rule: 'stale', started_at: SCAN_NOW, step: 2 });
    await h.settle();
    expect(h.gitlab.calls('PUT')).toHaveLength(6);
    expect(h.logs.filter((line) => line.includes('schedule: run finished'))).toHaveLength(1);
    expect(JSON.parse(await logLine(h, /schedule: run finished/))).toMatchObject({ acted: 6, steps: 2, stopped_at_limit: true });
  });
});

describe('Workers: the bot user', () => {
  it('is learnt once and cached in KV under a key that does not hold the token', async () => {
    await start();
    const kv = await h!.miniflare.getKVNamespace('CACHE');
    const { keys } = await kv.list();
    expect(keys).toHaveLength(1);
    expect(keys[0]!.name).toMatch(/^bot-user:[0-9a-f]{24}$/);
    expect(keys[0]!.name).not.toContain(TOKEN);
    expect(await kv.get(keys[0]!.name, 'json')).toMatchObject({ id: BOT.id, username: BOT.username });
  });
});

describe('Workers: events whose queue message was lost', () => {
  it('are sent again by the cron trigger once their attempt is 15 minutes overdue', async () => {
    await start();
    // An event accepted 20 minutes ago whose message never reached the queue (its send failed).
    const payload = JSON.stringify(mergeRequestPayload({ action: 'open' }));
    const accepted = Date.now() - 20 * 60_000;
    const store = (await h!.miniflare.getDurableObjectNamespace('STORE')) as any;
    const object = store.get(store.idFromName('rulebot'));
    const job = { id: 'unsent-1', project_id: 1, payload, event_uuid: undefined, received_at: accepted, attempts: 0, next_attempt_at: accepted, last_error: undefined };
    expect(await object.acceptDelivery('unsent-key', job)).toBe(true);
    expect((await h!.status()).queue.depth).toBe(1);

    await h!.cron();
    expect(h!.gitlab.mergeRequest(1, 1)?.labels).toEqual(['API', 'documentation']);
    expect((await h!.status()).queue).toMatchObject({ depth: 0, dead_letters: 0 });
    await logLine(h!, /events and scan steps without a queue message sent again.*"count":1/);

    // Handed out once: the next trigger, minutes later, does not send it again.
    h!.gitlab.clearRequests();
    await h!.cron();
    expect(h!.logs.filter((line) => line.includes('without a queue message sent again'))).toHaveLength(1);
  });
});

describe('Workers: the store object', () => {
  async function storeObject() {
    await start();
    const namespace = (await h!.miniflare.getDurableObjectNamespace('STORE')) as any;
    return namespace.get(namespace.idFromName('rulebot'));
  }
  const job = (id: string, at: number) => ({ id, project_id: 1, payload: '{}', event_uuid: undefined, received_at: at, attempts: 0, next_attempt_at: at, last_error: undefined });

  it('keeps attempts in step with their job: failures free the lease, a put-back dead letter is a retry, a new job with its id starts afresh', async () => {
    const store = await storeObject();
    const now = Date.now();
    expect(await store.acceptDelivery('key-1', job('x', now))).toBe(true);
    expect(await store.beginAttempt('x', now, 60_000)).toMatchObject({ state: 'run', retrying: false, attempt: 1, job: { first_attempt_at: now } });
    // A failure recorded frees the lease: the retry runs when due, as a retry.
    await store.retryJobLater('x', now, 'GitLab answered 502', now);
    expect(await store.beginAttempt('x', now + 1, 60_000)).toMatchObject({ state: 'run', retrying: true, attempt: 2, job: { first_attempt_at: now } });
    await store.deadLetter('x', 'refused', { attempts: 2, first_attempt_at: now });
    expect(await store.deadLetters()).toMatchObject([{ reason: 'refused', job: { id: 'x', attempts: 2, first_attempt_at: now } }]);
    const revived = await store.reviveDeadLetter('x');
    expect(revived).toMatchObject({ id: 'x', payload: '', attempts: 0, first_attempt_at: now });
    // Put back, its attempts count afresh, and the first is a retry: it checks its calls first.
    expect(await store.beginAttempt('x', now + 2, 60_000)).toMatchObject({ state: 'run', retrying: true, attempt: 1, job: { first_attempt_at: now } });
    await store.finishJob('x');
    // The same delivery a week later (its key expired): a new job, with no attempts of its own yet.
    expect(await store.acceptDelivery('key-2', job('x', now + 3))).toBe(true);
    expect(await store.beginAttempt('x', now + 3, 60_000)).toMatchObject({ state: 'run', retrying: false, attempt: 1, job: { first_attempt_at: now + 3 } });
    // The dead-letter queue leaves a job a delivery is running to that delivery.
    expect(await store.deadLetterUnlessRunning('x', 'gave up', now + 4)).toBe(false);
    expect(await store.deadLetterUnlessRunning('gone', 'gave up', now + 4)).toBe(false);
  });

  it('hands out each step of a schedule run once, in order, and ends a run whose step keeps being stopped', async () => {
    const store = await storeObject();
    const at = Date.parse('2026-03-01T06:00:00Z');
    const now = Date.now();
    expect(await store.startScan('stale', at, now)).toEqual({ previous: undefined });
    expect(await store.startScan('stale', at + 300_000, now)).toBe(false);
    // Step 2 before step 1 completed, a step claimed twice, a step completed twice: refused.
    expect(await store.claimScanStep('stale', at, 2, now, 60_000)).toEqual({ state: 'gone' });
    expect(await store.claimScanStep('stale', at, 1, now, 60_000)).toMatchObject({ state: 'run' });
    expect(await store.claimScanStep('stale', at, 1, now + 1, 60_000)).toEqual({ state: 'busy', retryInMs: 59_999 });
    const totals = { scanned: 5, matched: 5, acted: 5, api_calls: 11, errors: 0 };
    const next = { cursor: '2026-01-01T00:00:00.000Z', seen: ['1:5'] };
    expect(await store.completeScanStep('stale', at, 1, totals, next, now + 2)).toBe(true);
    expect(await store.completeScanStep('stale', at, 1, totals, next, now + 3)).toBe(false);
    // Step 1 delivered again after it completed: it asks for step 2 to be queued again, in case it was lost.
    expect(await store.claimScanStep('stale', at, 1, now + 4, 60_000)).toEqual({ state: 'done', resend: 2 });
    expect(await store.claimScanStep('stale', at, 2, now + 5, 60_000)).toEqual({ state: 'run', totals, from: next });
    // Step 2 keeps being stopped before it completes (leases run out): the fifth claim is the last.
    for (let i = 1; i < 5; i++) expect(await store.claimScanStep('stale', at, 2, now + 5 + i * 60_001, 60_000)).toMatchObject({ state: 'run' });
    expect(await store.claimScanStep('stale', at, 2, now + 5 + 5 * 60_001, 60_000)).toEqual({ state: 'stuck', claims: 5 });
    expect((await h!.status()).queue.scans_running).toEqual([]);
  });

  it('puts a rule back as due when its run could not be queued', async () => {
    const store = await storeObject();
    const at = Date.parse('2026-03-01T06:00:00Z');
    const started = await store.startScan('stale', at, Date.now());
    await store.cancelScan('stale', at, started.previous ?? at - 300_000);
    expect(await store.lastScheduleRun('stale')).toBe(at - 300_000);
    expect((await h!.status()).queue.scans_running).toEqual([]);
  });
});

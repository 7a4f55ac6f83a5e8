// End to end, on both runtimes: how long and how often a failing event is tried, and how its attempts are shown.
import { afterEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload, WELCOME_RULES, withoutMarker } from '../support/events.js';
import { BOT, SECRET, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function expectDoneOnce(iid: number) {
  expect(h!.gitlab.mergeRequest(1, iid)?.labels, `!${iid}`).toEqual(['triaged']);
  const comments = h!.gitlab.notes(1, 'MergeRequest', iid).filter((n) => n.author_id === BOT.id).map((n) => withoutMarker(n.body));
  expect(comments, `!${iid}`).toEqual([`Thanks for !${iid}.`]);
}

describe.each(RUNTIMES)('retries ($name)', (runtime) => {
  it('counts the give-up window from an event\'s first attempt: one that waited longer than the window in a backlog is retried, not given up', async () => {
    // Each failed GitLab call fails the attempt (no retries inside it); events are given up 2 s after their first attempt.
    h = await runtime.start({ rules: { 'welcome.yml': WELCOME_RULES }, timeoutMs: 5_000, env: { GITLAB_RETRIES: '0', RETRY_GIVE_UP_AFTER_SECONDS: '2' } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    for (const iid of [1, 2]) h.gitlab.addMergeRequest({ project_id: 1, iid, labels: [] });
    // !1's edit takes 3 s: !2, queued behind it, waits longer than the window before its first attempt.
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, delayMs: 3_000 });
    // Then GitLab fails !2's first three attempts (enough to use up the minimum of attempts too).
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/2$/, status: 502, times: 3 });

    for (const iid of [1, 2]) expect((await h.post(mergeRequestPayload({ iid, labels: [] }))).status).toBe(202);
    await h.settle();

    expectDoneOnce(1);
    expectDoneOnce(2);
    expect(h.gitlab.calls('PUT', /merge_requests\/2$/)).toHaveLength(4);
    expect((await h.status()).queue).toMatchObject({ depth: 0, dead_letters: 0 });
  });

  it('makes three attempts before giving up, and shows that number in the reason, GET /dead-letters and GET /status', async () => {
    // A window shorter than any attempt: only the minimum of attempts holds the event back from the dead letters.
    h = await runtime.start({ rules: { 'welcome.yml': WELCOME_RULES }, env: { GITLAB_RETRIES: '0', RETRY_GIVE_UP_AFTER_SECONDS: '0.001' } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [] });
    h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 502, times: Infinity });

    await h.post(mergeRequestPayload({ iid: 1, labels: [] }), { 'idempotency-key': 'given-up-1' });
    await h.settle();

    expect(h.gitlab.calls('PUT')).toHaveLength(3);
    expect(h.gitlab.notes(1, 'MergeRequest', 1)).toEqual([]);
    const reason = 'gave up after 3 attempts: PUT /projects/1/merge_requests/1: 502 Bad Gateway';
    const listed = await (await h.fetch('/dead-letters', { headers: { authorization: `Bearer ${SECRET}` } })).json();
    expect(listed.dead_letters).toMatchObject([{ id: 'given-up-1', attempts: 3, reason }]);
    expect((await h.status()).queue).toMatchObject({ depth: 0, dead_letters: 1, last_error: { job: 'given-up-1', message: reason } });
  });
});

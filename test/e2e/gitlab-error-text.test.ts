// End to end: a GitLab error of any size is logged, stored and shown at most 2 KB long, without the secrets it repeats.
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/runtime/node/cli/run.js';
import { mergeRequestPayload, WELCOME_RULES } from '../support/events.js';
import { SECRET, startHarness, TOKEN, type Harness, type HarnessOptions } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const bytes = (text: string) => Buffer.byteLength(text);
/** What a misbehaving GitLab (or a proxy in front of it) answers: 5 MB, repeating the secrets it knows. */
const HUGE_MESSAGE = `token ${TOKEN} may not edit this; hook secret ${SECRET}; ${'x'.repeat(5 * 1024 * 1024)}`;
/** How the message shows: GitLab's words cut to 1 KB, the secrets replaced, the cut said. */
const SHOWN = /^labels \(rule "welcome"\) refused: PUT \/projects\/1\/merge_requests\/1: token \[redacted\] may not edit this; hook secret \[redacted\]; x+… \(52429\d\d bytes, cut\)$/;

let h: Harness;
afterEach(async () => h.close());

/** Starts rulebot, whose edit of !1 GitLab refuses with HUGE_MESSAGE, and sends the event that makes it. */
async function failWithHugeError<H extends Harness>(start: (options: HarnessOptions) => Promise<H>): Promise<H> {
  const started = await start({ rules: { 'welcome.yml': WELCOME_RULES } });
  h = started;
  h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
  h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [] });
  h.gitlab.inject({ method: 'PUT', path: /merge_requests\/1$/, status: 403, body: { message: HUGE_MESSAGE } });
  expect((await h.post(mergeRequestPayload({ iid: 1, labels: [] }), { 'idempotency-key': 'huge-error' })).status).toBe(202);
  await h.settle();
  return started;
}

describe.each(RUNTIMES)('a 5 MB GitLab error ($name)', (runtime) => {
  it('is kept as a dead letter of at most 2 KB, with the secrets in it redacted, in /dead-letters, /status and the log', async () => {
    await failWithHugeError(runtime.start);

    const listed = await h.fetch('/dead-letters', { headers: { authorization: `Bearer ${SECRET}` } });
    const [letter] = ((await listed.json()) as { dead_letters: { id: string; reason: string }[] }).dead_letters;
    expect(letter?.id).toBe('huge-error');
    expect(letter?.reason).toMatch(SHOWN);
    expect(bytes(letter!.reason)).toBeLessThanOrEqual(2048);

    const { queue } = await h.status();
    expect(queue).toMatchObject({ dead_letters: 1, last_error: { job: 'huge-error', message: letter!.reason } });

    const failed = h.logs.map((line) => (line.startsWith('{') ? JSON.parse(line) : {})).find((entry) => entry.msg === 'event failed for good; kept as a dead letter');
    expect(failed?.reason).toBe(letter!.reason);
    expect(Math.max(...h.logs.map(bytes))).toBeLessThan(4096);
    const everything = h.logs.join('\n');
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(SECRET);
  });
});

describe('a 5 MB GitLab error on the command line', () => {
  it('is listed by rulebot dead-letters at most 2 KB long, redacted', async () => {
    const node = await failWithHugeError(startHarness);
    const lines: string[] = [];
    expect(await runCli(['dead-letters'], { DATA_DIR: node.server.config.dataDir }, (line) => lines.push(line))).toBe(0);
    const reason = lines[0]?.split('  ').at(-1) ?? '';
    expect(reason).toMatch(SHOWN);
    expect(bytes(lines[0]!)).toBeLessThan(2048 + 100);
  });
});

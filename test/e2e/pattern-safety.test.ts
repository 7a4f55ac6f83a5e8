// End to end: a rule pattern that backtracks exponentially in JavaScript, against a hostile title, leaves the server answering.
import { afterEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../support/events.js';
import type { Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

// `^(\w+\s?)*:` took JavaScript's RegExp 11.6 s on 31 letters and an exclamation mark, twice as long with
// every letter more; the title below has 5,000.
const rules = `rules:
  - name: no colon in title
    on: merge_request.open
    if:
      not: { title: { matches: '^(\\w+\\s?)*:' } }
    then:
      add_labels: [no-colon-title]
  - name: no colon in description
    on: merge_request.open
    if:
      not: { description: { matches: '^(\\w+\\s?)*:', ignore_case: true } }
    then:
      add_labels: [no-colon-description]
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.each(RUNTIMES)('rule patterns on hostile text ($name)', (runtime) => {
  it('match a 5,000-letter title against a catastrophic pattern while /healthz keeps answering', async () => {
    h = await runtime.start({ rules: { 'safety.yml': rules } });
    h.gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    h.gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [] });
    const payload = mergeRequestPayload({ action: 'open', labels: [], title: `${'a'.repeat(5_000)}!` });
    payload['object_attributes']['description'] = `${'a'.repeat(20_000)}!`;

    const delivery = await h.post(payload);
    // Sent as soon as the delivery is accepted, while the event is being matched: a stalled event loop would never answer it.
    const health = await h.fetch('/healthz');
    expect(delivery.status).toBe(202);
    expect({ status: health.status, body: await health.json() }).toEqual({ status: 200, body: { status: 'ok' } });

    await h.settle();
    expect(h.gitlab.mergeRequest(1, 1)?.labels).toEqual(['no-colon-title', 'no-colon-description']);
    expect((await h.fetch('/healthz')).status).toBe(200);
  });
});

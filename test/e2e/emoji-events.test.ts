// End to end: GitLab's Emoji Hook (emoji.award / emoji.revoke) on issues and merge requests, with the `emoji` condition.
import { afterEach, describe, expect, it } from 'vitest';
import { fixture } from '../support/events.js';
import { BOT, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

const RULES = `rules:
  - name: upvoted
    on: emoji.award
    if: { emoji: [thumbsup, "+1"], on_issue: true }
    then:
      add_labels: [upvoted]
  - name: upvote withdrawn
    on: emoji.revoke
    if: { emoji: [thumbsup] }
    then:
      remove_labels: [upvoted]
`;

function emojiPayload(options: { name?: string; action?: 'award' | 'revoke'; userId?: number; labels?: string[] } = {}) {
  const payload = fixture('emoji');
  const action = options.action ?? 'award';
  payload['event_type'] = action;
  Object.assign(payload['object_attributes'], { name: options.name ?? 'thumbsup', action });
  payload['user'] = { ...payload['user'], id: options.userId ?? 1, username: options.userId === BOT.id ? BOT.username : 'root' };
  payload['issue']['labels'] = (options.labels ?? []).map((title, i) => ({ id: 500 + i, title }));
  return payload;
}

describe.each(RUNTIMES)('emoji events ($name)', (runtime) => {
  let h: Harness;
  afterEach(async () => h.close());

  it('labels an issue when a note on it gets a thumbsup, and removes the label when it is revoked', async () => {
    h = await runtime.start({ rules: { 'emoji.yml': RULES } });
    h.gitlab.addProject({ id: 6, path_with_namespace: 'flightjs/Flight' });
    h.gitlab.addIssue({ project_id: 6, iid: 42 });
    const headers = { 'x-gitlab-event': 'Emoji Hook' };

    // Another emoji, and rulebot's own thumbsup: nothing to do.
    await h.post(emojiPayload({ name: 'rocket' }), headers);
    await h.post(emojiPayload({ userId: BOT.id }), headers);
    await h.settle();
    expect(h.callLines()).toEqual([]);

    await h.post(emojiPayload(), headers);
    await h.settle();
    expect(h.callLines()).toEqual(['PUT /projects/6/issues/42']);
    expect(h.gitlab.issue(6, 42)?.labels).toEqual(['upvoted']);

    h.gitlab.clearRequests();
    await h.post(emojiPayload({ action: 'revoke', labels: ['upvoted'] }), headers);
    await h.settle();
    expect(h.callLines()).toEqual(['PUT /projects/6/issues/42']);
    expect(h.gitlab.issue(6, 42)?.labels).toEqual([]);
  });
});

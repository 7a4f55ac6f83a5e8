// End to end on both runtimes: the webhook GitLab disabled is noticed within one check, re-enabled, and shown in /status.
import { afterEach, describe, expect, it } from 'vitest';
import { SECRET, type Harness } from '../support/harness.js';
import { RUNTIMES } from '../support/runtimes.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const WATCH = { GITLAB_HOOK_ID: '7', GITLAB_HOOK_PROJECT: 'gitlabhq/gitlab-test' };

describe.each(RUNTIMES)('webhook watch ($name)', (runtime) => {
  const start = async () => {
    h = await runtime.start({
      env: WATCH,
      seed: (gitlab) => {
        gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
        gitlab.addHook({ id: 7, project_id: 1, url: 'https://rulebot.example/webhooks/gitlab', token: SECRET });
      },
    });
    // The fake delivers test events to the URL the hook names: rulebot's, now that it listens.
    h.gitlab.hook(7)!.url = h.webhookUrl;
    return h;
  };

  it('reads the hook once per check and leaves an executable one alone', async () => {
    const h = await start();
    h.gitlab.clearRequests();
    await h.upkeep();
    expect(h.callLines()).toEqual(['GET /projects/gitlabhq%2Fgitlab-test/hooks/7']);
    expect((await h.status()).webhook).toMatchObject({ hook_id: 7, owner: 'project gitlabhq/gitlab-test', alert_status: 'executable' });
    expect((await h.status()).webhook.problem).toBeUndefined();
  });

  it.each(['permanently', 'temporarily'] as const)('re-enables a hook GitLab disabled %s within one check, logs it, and says so in /status', async (how) => {
    const h = await start();
    h.gitlab.disableHook(7, how);
    h.gitlab.clearRequests();
    await h.upkeep();
    await h.settle();

    expect(h.callLines()).toEqual([
      'GET /projects/gitlabhq%2Fgitlab-test/hooks/7',
      'POST /projects/gitlabhq%2Fgitlab-test/hooks/7/test/resource_access_token_events',
    ]);
    expect(h.gitlab.hook(7)).toMatchObject({ alert_status: 'executable', disabled_until: null, tests: 1 });
    const { webhook } = await h.status();
    expect(webhook).toMatchObject({
      alert_status: 'executable',
      re_enabled_at: expect.any(String),
      last_disabled: { alert_status: how === 'permanently' ? 'disabled' : 'temporarily_disabled' },
    });
    expect(webhook.problem).toBeUndefined();
    expect(h.logs.some((line) => line.includes('"level":"error"') && line.includes('GitLab disabled webhook 7 of project gitlabhq/gitlab-test'))).toBe(true);
    // The test delivery was an access token event for a made-up token: accepted, and nothing rotated.
    expect(h.gitlab.calls('POST', /rotate/)).toHaveLength(0);
    expect((await h.status()).queue).toMatchObject({ depth: 0, dead_letters: 0 });
  });

  it('says in /status and the log what to do when GitLab cannot re-enable the hook', async () => {
    const h = await start();
    h.gitlab.disableHook(7, 'permanently');
    h.gitlab.inject({ method: 'POST', path: /\/hooks\/7\/test\//, status: 404, body: { error: '404 Not Found' } });
    await h.upkeep();
    const { webhook } = await h.status();
    expect(webhook.alert_status).toBe('disabled');
    expect(webhook.problem).toMatch(/the test call needs GitLab 16\.11 for project hooks, 17\.1 for group hooks; re-enable it in project gitlabhq\/gitlab-test's Settings > Webhooks/);
  });
});

// The fake's webhooks: their auto-disabled state, and the test delivery that re-enables them.

import { createServer } from 'node:http';
import { describe, expect } from 'vitest';
import { call, test } from './test-fixture.js';

describe('project hooks', () => {
  test('show alert_status and disabled_until, in the list and one by one', async ({ gitlab }) => {
    gitlab.addHook({ id: 5, project_id: 1, url: 'https://rulebot.example/webhooks/gitlab' });
    gitlab.disableHook(5, 'temporarily');
    const one = (await (await call(gitlab, 'GET', '/projects/1/hooks/5')).json()) as { alert_status: string; disabled_until: string };
    expect(one.alert_status).toBe('temporarily_disabled');
    expect(Date.parse(one.disabled_until)).toBeGreaterThan(Date.now());
    expect(await (await call(gitlab, 'GET', '/projects/group%2Fsub%2Fproject/hooks')).json()).toMatchObject([{ id: 5, alert_status: 'temporarily_disabled' }]);
    expect((await call(gitlab, 'GET', '/projects/1/hooks/6')).status).toBe(404);
  });

  test('re-enables a disabled hook whose test delivery gets a 2xx, and answers 422 when it does not', async ({ gitlab }) => {
    const received: { event: string | undefined; token: string | undefined; body: string }[] = [];
    let status = 202;
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ event: req.headers['x-gitlab-event'] as string, token: req.headers['x-gitlab-token'] as string, body });
        res.writeHead(status).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const port = (receiver.address() as { port: number }).port;
      gitlab.addHook({ id: 5, project_id: 1, url: `http://127.0.0.1:${port}/webhooks/gitlab`, token: 's3cret' });
      gitlab.disableHook(5, 'permanently');
      status = 500;
      const refused = await call(gitlab, 'POST', '/projects/1/hooks/5/test/resource_access_token_events');
      expect(refused.status).toBe(422);
      expect(gitlab.hook(5)?.alert_status).toBe('disabled');
      status = 202;
      const accepted = await call(gitlab, 'POST', '/projects/1/hooks/5/test/resource_access_token_events');
      expect(accepted.status).toBe(201);
      expect(await accepted.json()).toEqual({ message: '201 Created' });
      expect(gitlab.hook(5)).toMatchObject({ alert_status: 'executable', disabled_until: null });
      expect(received[1]).toMatchObject({ event: 'Resource Access Token Hook', token: 's3cret' });
      expect(JSON.parse(received[1]!.body)).toMatchObject({ object_kind: 'access_token', event_name: 'expiring_access_token', object_attributes: { id: 1 } });
    } finally {
      receiver.close();
    }
  });

  test('refuses an unknown trigger with 400', async ({ gitlab }) => {
    gitlab.addHook({ id: 5, project_id: 1, url: 'https://rulebot.example/webhooks/gitlab' });
    const response = await call(gitlab, 'POST', '/projects/1/hooks/5/test/nothing');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'trigger does not have a valid value' });
  });
});

// The fake's webhooks: their auto-disabled state, and test deliveries that re-enable them.

import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import type { FakeHook, HookSeed } from './types.js';

/** How a test delivery reaches the receiver: `fetch` by default; the Worker harness routes it into Miniflare. */
export type HookDelivery = (url: string, init: RequestInit) => Promise<Response>;

export class Hooks {
  private readonly hooks = new Map<number, FakeHook>();
  deliver: HookDelivery = (url, init) => fetch(url, init);

  constructor(private readonly clock: Clock) {}

  add(seed: HookSeed): FakeHook {
    const hook: FakeHook = {
      alert_status: 'executable',
      disabled_until: null,
      merge_requests_events: true,
      issues_events: true,
      note_events: true,
      push_events: false,
      pipeline_events: false,
      resource_access_token_events: false,
      tests: 0,
      ...seed,
    };
    this.hooks.set(hook.id, hook);
    return hook;
  }

  get(id: number): FakeHook | undefined {
    return this.hooks.get(id);
  }

  ofProject(projectId: number): FakeHook[] {
    return [...this.hooks.values()].filter((hook) => hook.project_id === projectId);
  }

  ofGroup(groupId: number): FakeHook[] {
    return [...this.hooks.values()].filter((hook) => hook.group_id === groupId);
  }

  /**
   * What GitLab's auto-disabling does after 4 failures in a row (`temporarily`, for a while) or 40
   * (`permanently`). GitLab sends a disabled hook nothing until it is re-enabled.
   */
  disable(id: number, how: 'temporarily' | 'permanently', untilMs = this.clock.ms() + 60_000): void {
    const hook = this.hooks.get(id);
    if (!hook) throw new Error(`disableHook: no hook ${id}`);
    hook.alert_status = how === 'temporarily' ? 'temporarily_disabled' : 'disabled';
    hook.disabled_until = how === 'temporarily' ? new Date(untilMs).toISOString() : null;
  }

  /**
   * A test delivery (GitLab's `TestHooks` services): sent whatever the hook's state, waiting for the
   * answer; a 2xx re-enables the hook (`WebHooks::AutoDisabling#enable!`). Resolves the receiver's
   * status (0: no answer) and body, which GitLab repeats as the message of its 422.
   */
  async test(hook: FakeHook, eventHeader: string, payload: object): Promise<{ status: number; body: string }> {
    hook.tests++;
    let status = 0;
    let body = 'internal error';
    try {
      const response = await this.deliver(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GitLab/18.0.0',
          'x-gitlab-event': eventHeader,
          'x-gitlab-event-uuid': randomUUID(),
          'x-gitlab-webhook-uuid': randomUUID(),
          'idempotency-key': randomUUID(),
          ...(hook.token && { 'x-gitlab-token': hook.token }),
        },
        body: JSON.stringify(payload),
      });
      status = response.status;
      body = await response.text();
    } catch {
      status = 0;
    }
    if (status >= 200 && status < 300) {
      hook.alert_status = 'executable';
      hook.disabled_until = null;
    }
    return { status, body };
  }
}

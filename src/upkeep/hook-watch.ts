// Watches the webhook GitLab sends rulebot its events through, and re-enables it when GitLab disabled it.
import type { HookWatchConfig } from '../config/credentials.js';
import { GitLabApiError } from '../errors.js';
import { getHook, REENABLE_TRIGGER, testHook, type GitLabClient, type HookOwner } from '../gitlab/index.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';

const STATE_KEY = 'webhook:watched';

/** What the last check found, as `GET /status` shows it. */
export interface HookStatus {
  hook_id: number;
  /** `project group/app` or `group group`. */
  owner: string;
  /** `executable`, `temporarily_disabled`, `disabled`, or `unknown` (not checked yet, or the check failed). */
  alert_status: string;
  disabled_until: string | null;
  checked_at: string | undefined;
  /** The last time GitLab had disabled it, and when rulebot re-enabled it. */
  last_disabled: { alert_status: string; disabled_until: string | null; seen_at: string } | undefined;
  re_enabled_at: string | undefined;
  problem: string | undefined;
}

/**
 * GitLab disables a hook after 4 failures in a row (for a minute, doubling up to a day) and for good
 * after 40 (`WebHooks::AutoDisabling`); events it would have sent meanwhile are never sent. Every check
 * reads the hook once (`GET …/hooks/:hook_id`), and a disabled one is re-enabled at once with a test
 * delivery to rulebot (`POST …/hooks/:hook_id/test/resource_access_token_events`): GitLab enables a hook
 * whose test got a 2xx. Editing the hook would not re-enable it.
 */
export class HookWatch {
  private readonly owner: HookOwner;
  private readonly ownerText: string;

  constructor(
    private readonly options: { watch: HookWatchConfig; gitlab: GitLabClient; store: Store; log: Logger; now: () => number },
  ) {
    const { project, group } = options.watch;
    this.owner = project !== undefined ? { project } : { group: group! };
    this.ownerText = project !== undefined ? `project ${project}` : `group ${group}`;
  }

  async check(): Promise<HookStatus> {
    const { watch, gitlab, log, now } = this.options;
    const before = await this.status();
    const at = new Date(now()).toISOString();
    const base = { ...before, checked_at: at, problem: undefined };
    let state: HookStatus;
    try {
      const hook = await getHook(gitlab, this.owner, watch.hookId);
      const alert = hook.alert_status ?? 'executable';
      const disabledUntil = hook.disabled_until ?? null;
      if (alert === 'executable') {
        state = { ...base, alert_status: alert, disabled_until: disabledUntil };
      } else {
        const seen = { alert_status: alert, disabled_until: disabledUntil, seen_at: at };
        const until = disabledUntil ? ` until ${disabledUntil}` : ' for good';
        log.error(`GitLab disabled webhook ${watch.hookId} of ${this.ownerText} (${alert}${until}): the events it would send meanwhile are lost; re-enabling it`);
        try {
          await testHook(gitlab, this.owner, watch.hookId);
          log.info(`webhook ${watch.hookId} of ${this.ownerText} re-enabled`);
          state = { ...base, alert_status: 'executable', disabled_until: null, last_disabled: seen, re_enabled_at: at };
        } catch (error) {
          const problem = reenableProblem(error, this.ownerText, watch.hookId);
          log.error(problem);
          state = { ...base, alert_status: alert, disabled_until: disabledUntil, last_disabled: seen, problem };
        }
      }
    } catch (error) {
      const problem = readProblem(error, this.ownerText, watch.hookId);
      if (problem !== before.problem) log.error(problem);
      state = { ...base, alert_status: 'unknown', problem };
    }
    await this.save(state);
    return state;
  }

  async status(): Promise<HookStatus> {
    const text = await this.options.store.value(STATE_KEY);
    const saved = text === undefined ? undefined : (JSON.parse(text) as HookStatus);
    if (saved?.hook_id === this.options.watch.hookId && saved.owner === this.ownerText) return saved;
    return {
      hook_id: this.options.watch.hookId, owner: this.ownerText, alert_status: 'unknown', disabled_until: null,
      checked_at: undefined, last_disabled: undefined, re_enabled_at: undefined, problem: undefined,
    };
  }

  private async save(state: HookStatus): Promise<void> {
    const store = this.options.store;
    // Last writer wins: each check describes the hook as it is now.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await store.swapValue(STATE_KEY, await store.value(STATE_KEY), JSON.stringify(state))) return;
    }
  }
}

function readProblem(error: unknown, owner: string, hookId: number): string {
  if (!(error instanceof GitLabApiError)) return `checking webhook ${hookId} of ${owner} failed: ${String(error)}`;
  if (error.status === 404) return `GitLab has no webhook ${hookId} in ${owner} (${error.message}): check GITLAB_HOOK_ID and GITLAB_HOOK_PROJECT or GITLAB_HOOK_GROUP (\`rulebot hooks\` lists them)`;
  if (error.status === 401 || error.status === 403) {
    return `rulebot's token may not read webhook ${hookId} of ${owner} (${error.message}): watching a project's hooks needs the Maintainer role there, a group's the Owner role, and the api scope`;
  }
  return `checking webhook ${hookId} of ${owner} failed (${error.message}); checked again in 5 minutes`;
}

export function reenableProblem(error: unknown, owner: string, hookId: number): string {
  const manual = `re-enable it in ${owner}'s Settings > Webhooks (Test, any event)`;
  if (!(error instanceof GitLabApiError)) return `re-enabling webhook ${hookId} of ${owner} failed: ${String(error)}; ${manual}`;
  if (error.status === 404) {
    return `GitLab cannot re-enable webhook ${hookId} of ${owner} through its API (${error.message}): the test call needs GitLab 16.11 for project hooks, 17.1 for group hooks; ${manual}`;
  }
  if (error.status === 400) return `GitLab does not offer the ${REENABLE_TRIGGER} test for webhook ${hookId} of ${owner} (${error.message}); ${manual}`;
  if (error.status === 422) {
    return `GitLab's test delivery from webhook ${hookId} of ${owner} to rulebot failed (${error.message}): check the hook's URL and secret token; it stays disabled until a delivery succeeds`;
  }
  if (error.status === 401 || error.status === 403) return `rulebot's token may not test webhook ${hookId} of ${owner} (${error.message}): it needs the Maintainer role (Owner for a group); ${manual}`;
  return `re-enabling webhook ${hookId} of ${owner} failed (${error.message}); tried again in 5 minutes`;
}

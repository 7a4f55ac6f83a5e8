// Project and group webhooks: their state (GitLab disables failing hooks) and the test call that re-enables one.
import { z } from 'zod';
import type { GitLabClient } from './client.js';

/**
 * What rulebot reads of a hook (doc/api/project_webhooks.md, group_webhooks.md). `alert_status` is
 * `executable`, `temporarily_disabled` (until `disabled_until`) or `disabled` (for good, until someone
 * re-enables it); GitLab versions that do not disable hooks leave it out.
 */
export const HookSchema = z.object({
  id: z.number(),
  url: z.string(),
  name: z.string().nullish(),
  alert_status: z.string().optional(),
  disabled_until: z.string().nullish(),
  merge_requests_events: z.boolean().optional(),
  issues_events: z.boolean().optional(),
  note_events: z.boolean().optional(),
  push_events: z.boolean().optional(),
  pipeline_events: z.boolean().optional(),
  resource_access_token_events: z.boolean().optional(),
});
export type Hook = z.infer<typeof HookSchema>;

/** A project (id or `group/project`) or a group (id or full path) that owns hooks. */
export type HookOwner = { project: string; group?: undefined } | { group: string; project?: undefined };

/**
 * The test event rulebot asks GitLab to send when it re-enables a hook: GitLab builds it from nothing
 * in the project (an access token about to expire, with a made-up id), and rulebot acts on none of it.
 */
export const REENABLE_TRIGGER = 'resource_access_token_events';

/** `/projects/:id/hooks` or `/groups/:id/hooks`. */
export function hooksPath(owner: HookOwner): string {
  return owner.project !== undefined ? `/projects/${encodeURIComponent(owner.project)}/hooks` : `/groups/${encodeURIComponent(owner.group)}/hooks`;
}

/** `GET …/hooks/:hook_id`: needs the Maintainer role on a project, Owner on a group. */
export function getHook(gitlab: GitLabClient, owner: HookOwner, hookId: number): Promise<Hook> {
  return gitlab.request('GET', `${hooksPath(owner)}/${hookId}`, { schema: HookSchema });
}

/** Every hook of a project or group. */
export function listHooks(gitlab: GitLabClient, owner: HookOwner): AsyncGenerator<Hook> {
  return gitlab.paginate(hooksPath(owner), { schema: HookSchema.array() });
}

/**
 * `POST …/hooks/:hook_id/test/:trigger` (projects: GitLab 16.11+, groups: 17.1+): GitLab sends a test
 * delivery to the hook now, whatever its state, and a 2xx answer re-enables it (GitLab's
 * `WebHooks::AutoDisabling#enable!`). GitLab answers 201 when the hook answered 2xx, 422 otherwise.
 * Editing the hook (`PUT`) does not re-enable it.
 */
export async function testHook(gitlab: GitLabClient, owner: HookOwner, hookId: number, trigger = REENABLE_TRIGGER): Promise<void> {
  await gitlab.request('POST', `${hooksPath(owner)}/${hookId}/test/${trigger}`);
}

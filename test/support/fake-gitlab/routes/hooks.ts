// Project and group webhooks: `GET …/hooks`, `GET …/hooks/:hook_id`, `POST …/hooks/:hook_id/test/:trigger`.
// doc/api/project_webhooks.md, group_webhooks.md; lib/api/hooks/trigger_test.rb

import { paginate } from '../pagination.js';
import { ApiError, badRequest, notFound, type Reply } from '../replies.js';
import type { FakeGroup, FakeHook, FakeProject } from '../types.js';
import { findGroup, findProject } from './lookups.js';
import type { RouteContext, RouteHandler } from './route-context.js';

const TRIGGERS = [
  'push_events', 'tag_push_events', 'issues_events', 'confidential_issues_events', 'note_events', 'merge_requests_events',
  'job_events', 'pipeline_events', 'wiki_page_events', 'releases_events', 'emoji_events', 'resource_access_token_events',
];

type Owner = { project: FakeProject } | { group: FakeGroup };

function representHook(hook: FakeHook) {
  return {
    id: hook.id,
    url: hook.url,
    name: `hook ${hook.id}`,
    ...(hook.project_id !== undefined && { project_id: hook.project_id }),
    ...(hook.group_id !== undefined && { group_id: hook.group_id }),
    merge_requests_events: hook.merge_requests_events,
    issues_events: hook.issues_events,
    note_events: hook.note_events,
    push_events: hook.push_events,
    pipeline_events: hook.pipeline_events,
    resource_access_token_events: hook.resource_access_token_events,
    enable_ssl_verification: true,
    alert_status: hook.alert_status,
    disabled_until: hook.disabled_until,
    url_variables: [],
    created_at: '2024-01-01T00:00:00.000Z',
  };
}

function hooksOf(context: RouteContext, owner: Owner): FakeHook[] {
  return 'project' in owner ? context.store.hooks.ofProject(owner.project.id) : context.store.hooks.ofGroup(owner.group.id);
}

function findHook(context: RouteContext, owner: Owner): FakeHook {
  const id = Number(context.path['hook_id']);
  if (!Number.isInteger(id)) throw badRequest('hook_id is invalid');
  const hook = hooksOf(context, owner).find((candidate) => candidate.id === id);
  if (!hook) throw notFound();
  return hook;
}

const projectOwner = (context: RouteContext): Owner => ({ project: findProject(context) });
const groupOwner = (context: RouteContext): Owner => ({ group: findGroup(context) });

export const listProjectHooks: RouteHandler = (context) => listHooks(context, projectOwner(context));
export const listGroupHooks: RouteHandler = (context) => listHooks(context, groupOwner(context));
export const getProjectHook: RouteHandler = (context) => ({ status: 200, body: representHook(findHook(context, projectOwner(context))) });
export const getGroupHook: RouteHandler = (context) => ({ status: 200, body: representHook(findHook(context, groupOwner(context))) });
export const testProjectHook: RouteHandler = (context) => testHook(context, projectOwner(context));
export const testGroupHook: RouteHandler = (context) => testHook(context, groupOwner(context));

function listHooks(context: RouteContext, owner: Owner): Reply {
  const page = paginate(hooksOf(context, owner), context.url, context.perPageMax);
  return { status: 200, body: page.items.map(representHook), headers: page.headers };
}

/**
 * Builds the test event for `trigger` and sends it, whatever the hook's state. Only the access-token
 * test needs nothing from the project; the others need something to describe, which the fake does not
 * keep for them, and answer GitLab's validation error.
 */
async function testHook(context: RouteContext, owner: Owner): Promise<Reply> {
  const hook = findHook(context, owner);
  const trigger = context.path['trigger'] ?? '';
  if (!TRIGGERS.includes(trigger)) throw badRequest('trigger does not have a valid value');
  if (trigger !== 'resource_access_token_events') {
    throw new ApiError({ status: 422, body: { message: `Ensure the ${'project' in owner ? 'project' : 'group'} has data for ${trigger}.` } });
  }
  const expires = new Date(context.store.nowMs() + 2 * 86_400_000).toISOString().slice(0, 10);
  const where =
    'project' in owner
      ? { project: { id: owner.project.id, name: owner.project.path_with_namespace.split('/').at(-1), path_with_namespace: owner.project.path_with_namespace, web_url: `${context.baseUrl}/${owner.project.path_with_namespace}` } }
      : { group: { group_name: owner.group.full_path, group_path: owner.group.full_path.split('/').at(-1), group_id: owner.group.id, full_path: owner.group.full_path } };
  const payload = {
    object_kind: 'access_token',
    ...where,
    object_attributes: { user_id: context.store.botUser.id, created_at: context.store.now(), id: 1, name: 'pat_for_webhook_event', expires_at: expires },
    event_name: 'expiring_access_token',
  };
  const { status, body } = await context.store.hooks.test(hook, 'Resource Access Token Hook', payload);
  if (status < 200 || status >= 300) throw new ApiError({ status: 422, body: { message: body } });
  return { status: 201, body: { message: '201 Created' } };
}

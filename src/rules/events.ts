// The event names rule files may use in `on`, in GitLab's own words.

const MERGE_REQUEST_ACTIONS = ['open', 'close', 'reopen', 'update', 'approved', 'unapproved', 'approval', 'unapproval', 'merge'];
const ISSUE_ACTIONS = ['open', 'close', 'reopen', 'update'];
const NOTE_ACTIONS = ['create', 'update'];
const PIPELINE_STATUSES = [
  'created', 'waiting_for_resource', 'preparing', 'pending', 'running',
  'success', 'failed', 'canceled', 'skipped', 'manual', 'scheduled',
];

/** Every accepted `on` value. */
export const EVENT_NAMES: ReadonlySet<string> = new Set([
  'merge_request',
  ...MERGE_REQUEST_ACTIONS.map((a) => `merge_request.${a}`),
  'issue',
  ...ISSUE_ACTIONS.map((a) => `issue.${a}`),
  // Tasks, incidents, epics and other work items: read as issues, with their type.
  'work_item',
  ...ISSUE_ACTIONS.map((a) => `work_item.${a}`),
  'note',
  ...NOTE_ACTIONS.map((a) => `note.${a}`),
  'push',
  'tag_push',
  'pipeline',
  ...PIPELINE_STATUSES.map((s) => `pipeline.${s}`),
  'schedule',
  // Emoji awarded or revoked on a merge request, an issue, or a note on either.
  'emoji',
  'emoji.award',
  'emoji.revoke',
]);

/** Whether `name` may be used in `on`: a known event, or `command.<name>` for a chat-ops command. */
export function isEventName(name: string): boolean {
  return EVENT_NAMES.has(name) || /^command\.[a-z][\w-]*$/.test(name);
}

/** Events that never concern a merge request or issue, so no action can apply to them. */
export const SUBJECTLESS_EVENTS: ReadonlySet<string> = new Set(['push', 'tag_push']);

// Turns a parsed GitLab webhook payload into the internal RuleEvent, or says why rulebot does not act on it.
import type { z } from 'zod';
import type { Actor, RuleEvent, Subject } from './event.js';
import {
  EmojiEventSchema,
  AccessTokenEventSchema,
  IssueEventSchema,
  MergeRequestEventSchema,
  NoteEventSchema,
  PipelineEventSchema,
  PushEventSchema,
  shown,
  type EmojiEvent,
  type NoteEvent,
} from './webhook-schemas.js';

/**
 * An event rulebot acts on; a kind it does not act on (`ignored`, with why); or a kind it acts on whose
 * payload it cannot read (`unreadable`, naming each field and its problem), kept as a dead letter.
 */
export type NormalizeResult = { event: RuleEvent } | { ignored: string } | { unreadable: string };

/** Thrown inside a reader when a payload lacks what no fallback can stand in for. */
class Unreadable extends Error {}

/**
 * Reads `object_kind` (GitLab's own discriminator; `X-Gitlab-Event` only labels the hook) and
 * validates the kinds rulebot acts on. Nothing here refuses a delivery: other kinds are ignored, and
 * a payload that cannot be read is reported as `unreadable` (an error answer would count towards
 * GitLab disabling the hook).
 */
export function normalizeEvent(payload: Record<string, unknown>): NormalizeResult {
  const kind = payload['object_kind'];
  try {
    switch (kind) {
      case 'merge_request':
        return { event: fromMergeRequest(parse(MergeRequestEventSchema, payload)) };
      case 'issue':
      case 'work_item':
        return { event: fromIssue(parse(IssueEventSchema, payload)) };
      case 'note':
        return fromNote(parse(NoteEventSchema, payload));
      case 'push':
      case 'tag_push':
        return { event: fromPush(parse(PushEventSchema, payload)) };
      case 'pipeline':
        return { event: fromPipeline(parse(PipelineEventSchema, payload)) };
      case 'emoji':
        return fromEmoji(parse(EmojiEventSchema, payload));
      case 'access_token':
        return fromAccessToken(parse(AccessTokenEventSchema, payload));
      default:
        return { ignored: typeof kind === 'string' ? `rulebot does not act on "${kind}" events` : 'payload has no object_kind' };
    }
  } catch (error) {
    if (error instanceof Unreadable) return { unreadable: `not a readable GitLab ${String(kind)} event: ${error.message}` };
    throw error;
  }
}

function parse<S extends z.ZodType>(schema: S, payload: unknown): z.output<S> {
  const result = schema.safeParse(payload, { error: readable });
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new Unreadable(lines.join('; '));
}

/** The names of zod's types in a message. */
const TYPE_NAMES: Record<string, string> = {
  number: 'a number', int: 'a whole number', string: 'text', boolean: 'true or false', array: 'a list', object: 'an object',
};

/**
 * What was expected and what was found, for the issues the schema gives no message of its own: "required"
 * for a field missing altogether, else the value found (`expected a list, got "oops"`). zod hands the
 * value to this map only; the issues it returns do not carry it. Other issues keep zod's message.
 */
function readable(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return `required, got nothing (expected ${issue.expected})`;
  return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${shown(issue.input)}`;
}

/** Nobody: the payload did not say who caused the event. Never the bot's own user, never a member. */
const UNKNOWN_ACTOR: Actor = { id: 0, username: '' };

type ProjectRef = RuleEvent['project'];

/** The event's project: `project`, or for payloads without it the fields that name it elsewhere. */
function projectOf(project: (ProjectRef & { default_branch?: string | undefined }) | undefined, fallback?: { id?: number | undefined; path?: string | undefined; web_url?: string }): ProjectRef {
  if (project) return { id: project.id, path_with_namespace: project.path_with_namespace, web_url: project.web_url, ...(project.default_branch && { default_branch: project.default_branch }) };
  if (fallback?.id && fallback.path) return { id: fallback.id, path_with_namespace: fallback.path, web_url: fallback.web_url ?? '' };
  throw new Unreadable('project: required, got nothing (and the object does not name its project)');
}

function names(kind: string, action: string | undefined): string[] {
  return action ? [kind, `${kind}.${action}`] : [kind];
}

function labelChanges(changes: { labels?: { previous: string[]; current: string[] } | null | undefined } | null | undefined) {
  const labels = changes?.labels;
  if (!labels) return undefined;
  const before = new Set(labels.previous);
  const after = new Set(labels.current);
  return {
    added: labels.current.filter((title) => !before.has(title)),
    removed: labels.previous.filter((title) => !after.has(title)),
  };
}

type MergeRequestLike = z.output<typeof MergeRequestEventSchema>['object_attributes'];
type IssueLike = z.output<typeof IssueEventSchema>['object_attributes'];

function mergeRequestSubject(mr: Omit<MergeRequestLike, 'action' | 'oldrev' | 'labels'> & { oldrev?: string | null | undefined }, labels: string[]): Subject {
  return {
    type: 'merge_request',
    complete: true,
    iid: mr.iid,
    milestone_id: mr.milestone_id,
    title: mr.title,
    description: mr.description ?? '',
    state: mr.state,
    labels,
    author_id: mr.author_id,
    assignee_ids: mr.assignee_ids ?? [],
    reviewer_ids: mr.reviewer_ids ?? [],
    people_known: mr.assignee_ids !== undefined && mr.reviewer_ids !== undefined,
    url: mr.url ?? '',
    source_branch: mr.source_branch,
    target_branch: mr.target_branch,
    source_project_id: mr.source_project_id,
    draft: mr.draft ?? mr.work_in_progress ?? false,
    sha: mr.last_commit?.id,
    ...('oldrev' in mr && typeof mr.oldrev === 'string' && mr.oldrev !== '' && { oldrev: mr.oldrev }),
    created_at: mr.created_at,
    updated_at: mr.updated_at,
  };
}

function issueSubject(issue: Omit<IssueLike, 'action' | 'labels'>, labels: string[], workItem = false): Subject {
  return {
    type: 'issue',
    // Work item events name their type (`Task`, `Incident`, …); plain issue events are issues.
    issue_type: (issue.type ?? issue.issue_type ?? (workItem ? undefined : 'issue'))?.toLowerCase(),
    complete: true,
    iid: issue.iid,
    confidential: issue.confidential,
    milestone_id: issue.milestone_id,
    title: issue.title,
    description: issue.description ?? '',
    state: issue.state,
    labels,
    author_id: issue.author_id,
    assignee_ids: issue.assignee_ids ?? [],
    reviewer_ids: [],
    people_known: issue.assignee_ids !== undefined,
    url: issue.url ?? '',
    created_at: issue.created_at,
    updated_at: issue.updated_at,
  };
}

function fromMergeRequest(p: z.output<typeof MergeRequestEventSchema>): RuleEvent {
  const attrs = p.object_attributes;
  const action = attrs.action;
  return {
    names: names('merge_request', action),
    kind: 'merge_request',
    action,
    project: projectOf(p.project, { id: attrs.target_project_id, path: attrs.target?.path_with_namespace, web_url: attrs.target?.web_url }),
    user: p.user ?? UNKNOWN_ACTOR,
    // The top-level `labels` is the state after the event; `object_attributes.labels` is the same list.
    subject: mergeRequestSubject(p.object_attributes, p.labels ?? p.object_attributes.labels),
    labels_changed: labelChanges(p.changes),
  };
}

function fromIssue(p: z.output<typeof IssueEventSchema>): RuleEvent {
  const action = p.object_attributes.action;
  const workItem = p.object_kind === 'work_item';
  return {
    names: names(workItem ? 'work_item' : 'issue', action),
    kind: 'issue',
    action,
    project: projectOf(p.project),
    user: p.user ?? UNKNOWN_ACTOR,
    subject: issueSubject(p.object_attributes, p.labels ?? p.object_attributes.labels, workItem),
    labels_changed: labelChanges(p.changes),
  };
}

/** `emoji.award` / `emoji.revoke`, on the merge request or issue the emoji concerns (itself or a note on it). */
function fromEmoji(p: EmojiEvent): NormalizeResult {
  const attrs = p.object_attributes;
  const action = attrs.action === 'revoke' || p.event_type === 'revoke' ? 'revoke' : 'award';
  let subject: Subject;
  if (p.merge_request) subject = mergeRequestSubject(p.merge_request, p.merge_request.labels);
  else if (p.issue) subject = issueSubject(p.issue, p.issue.labels);
  else return { ignored: `rulebot does not act on emoji on ${attrs.awardable_type || 'unknown'} objects` };
  const on = attrs.awardable_type === 'Note' ? 'note' : subject.type;
  return {
    event: {
      names: ['emoji', `emoji.${action}`],
      kind: 'emoji',
      action,
      project: projectOf(p.project),
      user: p.user ?? UNKNOWN_ACTOR,
      subject,
      labels_changed: undefined,
      emoji: { name: attrs.name, action, on, note_id: on === 'note' ? (p.note?.id ?? attrs.awardable_id) : undefined },
    },
  };
}

function fromNote(p: NoteEvent): NormalizeResult {
  const attrs = p.object_attributes;
  let subject: Subject;
  if (attrs.noteable_type === 'MergeRequest') {
    if (!p.merge_request) throw new Unreadable('merge_request: required for a note on a merge request, got nothing');
    subject = mergeRequestSubject(p.merge_request, p.merge_request.labels);
  } else if (attrs.noteable_type === 'Issue') {
    if (!p.issue) throw new Unreadable('issue: required for a note on an issue, got nothing');
    subject = issueSubject(p.issue, p.issue.labels);
  } else {
    return { ignored: `rulebot does not act on notes on ${attrs.noteable_type || 'unknown'} objects` };
  }
  // Note payloads may leave the merge request's or issue's `url` out (GitLab's published examples do):
  // the note's own URL is on that page, at `#note_<id>`.
  if (!subject.url && attrs.url) subject = { ...subject, url: attrs.url.replace(/#.*$/, '') };
  return {
    event: {
      names: names('note', attrs.action),
      kind: 'note',
      action: attrs.action,
      project: projectOf(p.project),
      // Without `user`, the note's author is who wrote it (and who asks, for commands).
      user: p.user ?? (attrs.author_id ? { id: attrs.author_id, username: '' } : UNKNOWN_ACTOR),
      subject,
      labels_changed: undefined,
      note: {
        id: attrs.id,
        body: attrs.note,
        system: attrs.system ?? false,
        url: attrs.url ?? undefined,
        discussion_id: attrs.discussion_id ?? undefined,
        // Internal notes say `internal` (`confidential` before GitLab 15.0); every note on a confidential
        // issue is seen by project members only, and comes as `event_type: confidential_note`.
        internal: attrs.internal === true || attrs.confidential === true || p.event_type === 'confidential_note' || p.issue?.confidential === true,
      },
    },
  };
}

function fromPush(p: z.output<typeof PushEventSchema>): RuleEvent {
  return {
    names: p.object_kind === 'push' ? ['push'] : ['tag_push'],
    kind: 'push',
    action: undefined,
    project: projectOf(p.project),
    user: p.user_id ? { id: p.user_id, username: p.user_username, name: p.user_name ?? undefined } : UNKNOWN_ACTOR,
    subject: undefined,
    labels_changed: undefined,
    push: {
      ref: p.ref,
      before: p.before,
      after: p.after,
      total_commits_count: p.total_commits_count ?? undefined,
      changed_paths: [...new Set((p.commits ?? []).flatMap((commit) => [...(commit.added ?? []), ...(commit.modified ?? []), ...(commit.removed ?? [])]))],
      commits_listed: p.commits?.length ?? 0,
    },
  };
}

function fromPipeline(p: z.output<typeof PipelineEventSchema>): RuleEvent {
  const attrs = p.object_attributes;
  const mr = p.merge_request;
  return {
    names: names('pipeline', attrs.status),
    kind: 'pipeline',
    action: attrs.status,
    project: projectOf(p.project),
    user: p.user ?? UNKNOWN_ACTOR,
    // Pipeline payloads name the merge request but not its labels, author or assignees:
    // rules that need those make rulebot read the merge request (see pipeline/facts.ts).
    subject: mr
      ? {
          type: 'merge_request',
          complete: false,
          iid: mr.iid,
          title: mr.title,
          description: '',
          state: mr.state,
          labels: [],
          author_id: undefined,
          assignee_ids: [],
          reviewer_ids: [],
          people_known: false,
          url: mr.url ?? '',
          source_branch: mr.source_branch,
          target_branch: mr.target_branch,
        }
      : undefined,
    labels_changed: undefined,
    pipeline: { id: attrs.id, ref: attrs.ref, status: attrs.status, source: attrs.source ?? undefined, url: attrs.url ?? undefined },
  };
}

/**
 * A project or group access token about to expire (GitLab sends these 7 and 1 days before, optionally
 * 30 and 60). Group tokens name a group instead of a project: the event then has project id 0.
 */
function fromAccessToken(p: z.output<typeof AccessTokenEventSchema>): NormalizeResult {
  if (p.event_name !== 'expiring_access_token') return { ignored: `rulebot does not act on "${p.event_name}" access token events` };
  const attrs = p.object_attributes;
  const project = p.project
    ? projectOf(p.project)
    : { id: 0, path_with_namespace: p.group?.full_path ?? p.group?.group_path ?? '', web_url: '' };
  return {
    event: {
      names: ['access_token', 'access_token.expiring_access_token'],
      kind: 'access_token',
      action: p.event_name,
      project,
      user: UNKNOWN_ACTOR,
      subject: undefined,
      labels_changed: undefined,
      access_token: { id: attrs.id, name: attrs.name, expires_at: attrs.expires_at ?? undefined },
    },
  };
}

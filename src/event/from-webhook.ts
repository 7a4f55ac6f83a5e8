// Turns a parsed GitLab webhook payload into the internal RuleEvent, or says why rulebot does not act on it.
import type { z } from 'zod';
import { PayloadError } from '../errors.js';
import type { RuleEvent, Subject } from './event.js';
import {
  IssueEventSchema,
  MergeRequestEventSchema,
  NoteEventSchema,
  PipelineEventSchema,
  PushEventSchema,
  type NoteEvent,
} from './webhook-schemas.js';

export type NormalizeResult = { event: RuleEvent } | { ignored: string };

/**
 * Reads `object_kind` (GitLab's own discriminator; `X-Gitlab-Event` only labels the hook) and
 * validates the kinds rulebot acts on. Other kinds are ignored, never refused: an error answer would
 * count towards GitLab disabling the hook.
 */
export function normalizeEvent(payload: Record<string, unknown>): NormalizeResult {
  const kind = payload['object_kind'];
  switch (kind) {
    case 'merge_request':
      return { event: fromMergeRequest(parse(MergeRequestEventSchema, payload)) };
    case 'issue':
      return { event: fromIssue(parse(IssueEventSchema, payload)) };
    case 'note':
      return fromNote(parse(NoteEventSchema, payload));
    case 'push':
    case 'tag_push':
      return { event: fromPush(parse(PushEventSchema, payload)) };
    case 'pipeline':
      return { event: fromPipeline(parse(PipelineEventSchema, payload)) };
    default:
      return { ignored: typeof kind === 'string' ? `rulebot does not act on "${kind}" events` : 'payload has no object_kind' };
  }
}

function parse<S extends z.ZodType>(schema: S, payload: unknown): z.output<S> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new PayloadError('invalid_payload', `not a valid GitLab ${String((payload as { object_kind?: unknown }).object_kind)} event: ${lines.join('; ')}`);
}

function names(kind: string, action: string | undefined): string[] {
  return action ? [kind, `${kind}.${action}`] : [kind];
}

function labelChanges(changes: { labels?: { previous: string[]; current: string[] } | undefined } | null | undefined) {
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

function mergeRequestSubject(mr: Omit<MergeRequestLike, 'action' | 'oldrev'>, labels: string[]): Subject {
  return {
    type: 'merge_request',
    complete: true,
    iid: mr.iid,
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
    created_at: mr.created_at,
    updated_at: mr.updated_at,
  };
}

function issueSubject(issue: Omit<IssueLike, 'action'>, labels: string[]): Subject {
  return {
    type: 'issue',
    complete: true,
    iid: issue.iid,
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
  const action = p.object_attributes.action;
  return {
    names: names('merge_request', action),
    kind: 'merge_request',
    action,
    project: p.project,
    user: p.user,
    // The top-level `labels` is the state after the event; `object_attributes.labels` is the same list.
    subject: mergeRequestSubject(p.object_attributes, p.labels ?? p.object_attributes.labels),
    labels_changed: labelChanges(p.changes),
  };
}

function fromIssue(p: z.output<typeof IssueEventSchema>): RuleEvent {
  const action = p.object_attributes.action;
  return {
    names: names('issue', action),
    kind: 'issue',
    action,
    project: p.project,
    user: p.user,
    subject: issueSubject(p.object_attributes, p.labels ?? p.object_attributes.labels),
    labels_changed: labelChanges(p.changes),
  };
}

function fromNote(p: NoteEvent): NormalizeResult {
  const attrs = p.object_attributes;
  let subject: Subject;
  if (attrs.noteable_type === 'MergeRequest' && p.merge_request) {
    subject = mergeRequestSubject(p.merge_request, p.merge_request.labels);
  } else if (attrs.noteable_type === 'Issue' && p.issue) {
    subject = issueSubject(p.issue, p.issue.labels);
  } else {
    return { ignored: `rulebot does not act on notes on ${attrs.noteable_type || 'unknown'} objects` };
  }
  return {
    event: {
      names: names('note', attrs.action),
      kind: 'note',
      action: attrs.action,
      project: p.project,
      user: p.user,
      subject,
      labels_changed: undefined,
      note: { id: attrs.id, body: attrs.note, system: attrs.system ?? false, url: attrs.url, discussion_id: attrs.discussion_id ?? undefined },
    },
  };
}

function fromPush(p: z.output<typeof PushEventSchema>): RuleEvent {
  return {
    names: p.object_kind === 'push' ? ['push'] : ['tag_push'],
    kind: 'push',
    action: undefined,
    project: p.project,
    user: { id: p.user_id, username: p.user_username, name: p.user_name },
    subject: undefined,
    labels_changed: undefined,
    push: { ref: p.ref, before: p.before, after: p.after, total_commits_count: p.total_commits_count },
  };
}

function fromPipeline(p: z.output<typeof PipelineEventSchema>): RuleEvent {
  const attrs = p.object_attributes;
  const mr = p.merge_request;
  return {
    names: names('pipeline', attrs.status),
    kind: 'pipeline',
    action: attrs.status,
    project: p.project,
    user: p.user ?? { id: 0, username: '' },
    // Pipeline payloads name the merge request but not its labels, author or assignees:
    // rules that need those make rulebot read the merge request (see actions/facts.ts).
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
    pipeline: { id: attrs.id, ref: attrs.ref, status: attrs.status, source: attrs.source, url: attrs.url },
  };
}

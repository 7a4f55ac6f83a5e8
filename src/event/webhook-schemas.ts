// zod schemas for the parts of GitLab webhook payloads rulebot reads; every other field is allowed and dropped.
// Field names follow doc/user/project/integrations/webhook_events.md. The schemas are lenient where GitLab
// really varies between versions and installations (nulls, missing optional fields, numbers sent as
// strings), and strict only where rulebot could not act without the field: an authentic delivery whose
// payload these schemas cannot read is kept as a dead letter that names the field, never refused.
import { z } from 'zod';
import { parseGitLabTime } from './timestamp.js';

/** How a value looks in a message: its JSON, cut short. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** A numeric string GitLab (or a proxy re-encoding the payload) sent for a number. */
const numeric = (value: unknown) => (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value);

/**
 * Ids and iids: positive whole numbers, also when sent as strings (`"42"`). A field left out is left to
 * the reader's own message ("required, got nothing").
 */
const notPositiveInt = (issue: { input?: unknown }) => (issue.input === undefined ? undefined : `expected a positive whole number, got ${shown(issue.input)}`);
const PositiveInt = z.preprocess(
  numeric,
  z.number({ error: notPositiveInt }).int({ error: notPositiveInt }).positive({ error: notPositiveInt }),
);

/** Text GitLab may leave null or out (titles of some system events, descriptions): read as empty. */
const Text = z.string().nullish().transform((text) => text ?? '');
const Time = z.string().transform(parseGitLabTime);
const OptionalTime = Time.nullish().transform((date) => date ?? undefined);
const OptionalId = PositiveInt.nullish().transform((id) => id ?? undefined);
const OptionalBoolean = z.boolean().nullish().transform((value) => value ?? undefined);

/** Who caused the event; GitLab leaves it out of some events (or sends null), and then nobody is known. */
export const UserRefSchema = z.object({
  id: PositiveInt,
  username: Text,
  name: z.string().nullish().transform((name) => name ?? undefined),
});
const OptionalUser = UserRefSchema.nullish().transform((user) => user ?? undefined);

export const ProjectSchema = z.object({
  id: PositiveInt,
  path_with_namespace: z.string(),
  web_url: Text,
  default_branch: z.string().nullish().transform((branch) => branch ?? undefined),
});

/** Label titles; a null entry or a label without a title (seen in older GitLab versions) is skipped. */
const Labels = z
  .array(z.unknown())
  .nullish()
  .transform((labels) =>
    (labels ?? []).flatMap((label) => {
      const title = (label as { title?: unknown } | null)?.title;
      return typeof title === 'string' ? [title] : [];
    }),
  );

const ChangesSchema = z
  .object({
    labels: z.object({ previous: Labels, current: Labels }).nullish(),
  })
  .nullish()
  .catch(undefined);

const Ids = z
  .array(z.preprocess(numeric, z.number()))
  .nullish()
  .transform((ids) => ids ?? undefined);

/** The merge request fields shared by merge request events and by the `merge_request` of note events. */
const MergeRequestAttributes = z.object({
  id: OptionalId,
  iid: PositiveInt,
  title: Text,
  description: z.string().nullish(),
  state: Text,
  source_branch: Text,
  target_branch: Text,
  source_project_id: OptionalId,
  target_project_id: OptionalId,
  /** The target project, which is the event's project; read when a payload lacks `project`. */
  target: z.object({ path_with_namespace: z.string(), web_url: Text }).nullish().catch(undefined),
  author_id: OptionalId,
  assignee_ids: Ids,
  reviewer_ids: Ids,
  draft: OptionalBoolean,
  work_in_progress: OptionalBoolean,
  url: z.string().nullish(),
  created_at: OptionalTime,
  updated_at: OptionalTime,
  last_commit: z.object({ id: z.string() }).nullish().catch(undefined),
  milestone_id: z.number().nullish().catch(undefined),
});

const IssueAttributes = z.object({
  id: OptionalId,
  iid: PositiveInt,
  title: Text,
  description: z.string().nullish(),
  state: Text,
  author_id: OptionalId,
  assignee_ids: Ids,
  project_id: OptionalId,
  url: z.string().nullish(),
  created_at: OptionalTime,
  updated_at: OptionalTime,
  /** Work item events: `Task`, `Incident`, `Epic`, …; issue events may carry `issue_type`. */
  type: z.string().nullish(),
  issue_type: z.string().nullish(),
  confidential: OptionalBoolean,
  milestone_id: z.number().nullish().catch(undefined),
});

const Action = z.string().nullish().transform((action) => action ?? undefined);

export const MergeRequestEventSchema = z.object({
  object_kind: z.literal('merge_request'),
  user: OptionalUser,
  project: ProjectSchema.optional(),
  object_attributes: MergeRequestAttributes.extend({
    action: Action,
    labels: Labels,
    oldrev: z.string().nullish(),
  }),
  labels: Labels.optional(),
  changes: ChangesSchema,
});

export const IssueEventSchema = z.object({
  object_kind: z.enum(['issue', 'work_item']),
  event_type: z.string().nullish(),
  user: OptionalUser,
  project: ProjectSchema.optional(),
  object_attributes: IssueAttributes.extend({ action: Action, labels: Labels }),
  labels: Labels.optional(),
  changes: ChangesSchema,
});

export const NoteEventSchema = z.object({
  object_kind: z.literal('note'),
  /** `confidential_note` for a note on a confidential issue (GitLab's `Confidential Note Hook`). */
  event_type: z.string().nullish(),
  user: OptionalUser,
  project: ProjectSchema,
  object_attributes: z.object({
    id: PositiveInt,
    note: Text,
    noteable_type: Text,
    author_id: OptionalId,
    action: Action,
    system: z.boolean().nullish(),
    internal: z.boolean().nullish(),
    confidential: z.boolean().nullish(),
    url: z.string().nullish(),
    discussion_id: z.string().nullish(),
  }),
  merge_request: MergeRequestAttributes.extend({ labels: Labels }).nullish(),
  issue: IssueAttributes.extend({ labels: Labels }).nullish(),
});

export const PushEventSchema = z.object({
  object_kind: z.enum(['push', 'tag_push']),
  ref: z.string(),
  before: Text,
  after: Text,
  user_id: OptionalId,
  // GitLab's own tag push example has no `user_username`.
  user_username: Text,
  user_name: z.string().nullish(),
  project: ProjectSchema,
  total_commits_count: z.number().nullish(),
  // Read only to tell which files a push changed; a commit GitLab describes oddly counts as changing nothing.
  commits: z
    .array(
      z
        .object({ added: z.array(z.string()).nullish(), modified: z.array(z.string()).nullish(), removed: z.array(z.string()).nullish() })
        .catch({ added: [], modified: [], removed: [] }),
    )
    .nullish()
    .catch(undefined),
});

export const PipelineEventSchema = z.object({
  object_kind: z.literal('pipeline'),
  // GitLab sends `user: null` for pipelines without a user (some triggers and schedules).
  user: OptionalUser,
  project: ProjectSchema,
  object_attributes: z.object({
    id: PositiveInt,
    ref: Text,
    status: z.string(),
    source: z.string().nullish(),
    url: z.string().nullish(),
  }),
  merge_request: z
    .object({
      iid: PositiveInt,
      title: Text,
      state: Text,
      source_branch: Text,
      target_branch: Text,
      url: z.string().nullish(),
    })
    .nullish(),
});

export type MergeRequestEvent = z.infer<typeof MergeRequestEventSchema>;
export type IssueEvent = z.infer<typeof IssueEventSchema>;
export type NoteEvent = z.infer<typeof NoteEventSchema>;
export type PushEvent = z.infer<typeof PushEventSchema>;
export type PipelineEvent = z.infer<typeof PipelineEventSchema>;

/**
 * `Emoji Hook`: an emoji awarded or revoked on a merge request, an issue, or a note on either; the
 * payload includes the merge request or issue (and the note).
 */
export const EmojiEventSchema = z.object({
  object_kind: z.literal('emoji'),
  event_type: z.string().nullish(),
  user: OptionalUser,
  project: ProjectSchema,
  object_attributes: z.object({
    name: z.string(),
    action: Action,
    awardable_type: Text,
    awardable_id: OptionalId,
  }),
  note: z.object({ id: PositiveInt, discussion_id: z.string().nullish() }).nullish(),
  merge_request: MergeRequestAttributes.extend({ labels: Labels }).nullish(),
  issue: IssueAttributes.extend({ labels: Labels }).nullish(),
});
export type EmojiEvent = z.infer<typeof EmojiEventSchema>;

/** `Resource Access Token Hook`: `object_kind: access_token`, with `project` or, for group tokens, `group`. */
export const AccessTokenEventSchema = z.object({
  object_kind: z.literal('access_token'),
  event_name: z.string(),
  project: ProjectSchema.nullish().transform((project) => project ?? undefined),
  group: z.object({ full_path: z.string().optional(), group_path: z.string().optional() }).nullish(),
  object_attributes: z.object({
    id: PositiveInt,
    name: Text,
    expires_at: z.string().nullish(),
  }),
});

// zod schemas for the parts of GitLab webhook payloads rulebot reads; every other field is allowed and dropped.
// Field names follow doc/user/project/integrations/webhook_events.md.
import { z } from 'zod';
import { parseGitLabTime } from './timestamp.js';

const Time = z.string().transform(parseGitLabTime);
const OptionalTime = Time.nullish().transform((date) => date ?? undefined);

export const UserRefSchema = z.object({
  id: z.number(),
  username: z.string(),
  name: z.string().optional(),
});

export const ProjectSchema = z.object({
  id: z.number(),
  path_with_namespace: z.string(),
  web_url: z.string().default(''),
});

const LabelSchema = z.object({ title: z.string() });
const Labels = z.array(LabelSchema).nullish().transform((labels) => (labels ?? []).map((label) => label.title));

const ChangesSchema = z
  .object({
    labels: z.object({ previous: Labels, current: Labels }).optional(),
  })
  .nullish();

const Ids = z.array(z.number()).nullish().transform((ids) => ids ?? undefined);

/** The merge request fields shared by merge request events and by the `merge_request` of note events. */
const MergeRequestAttributes = z.object({
  id: z.number().optional(),
  iid: z.number(),
  title: z.string(),
  description: z.string().nullish(),
  state: z.string(),
  source_branch: z.string(),
  target_branch: z.string(),
  source_project_id: z.number().optional(),
  author_id: z.number(),
  assignee_ids: Ids,
  reviewer_ids: Ids,
  draft: z.boolean().optional(),
  work_in_progress: z.boolean().optional(),
  url: z.string().optional(),
  created_at: OptionalTime,
  updated_at: OptionalTime,
  last_commit: z.object({ id: z.string() }).nullish(),
});

const IssueAttributes = z.object({
  id: z.number().optional(),
  iid: z.number(),
  title: z.string(),
  description: z.string().nullish(),
  state: z.string(),
  author_id: z.number(),
  assignee_ids: Ids,
  url: z.string().optional(),
  created_at: OptionalTime,
  updated_at: OptionalTime,
});

export const MergeRequestEventSchema = z.object({
  object_kind: z.literal('merge_request'),
  user: UserRefSchema,
  project: ProjectSchema,
  object_attributes: MergeRequestAttributes.extend({
    action: z.string().optional(),
    labels: Labels,
    oldrev: z.string().optional(),
  }),
  labels: Labels.optional(),
  changes: ChangesSchema,
});

export const IssueEventSchema = z.object({
  object_kind: z.enum(['issue']),
  event_type: z.string().optional(),
  user: UserRefSchema,
  project: ProjectSchema,
  object_attributes: IssueAttributes.extend({ action: z.string().optional(), labels: Labels }),
  labels: Labels.optional(),
  changes: ChangesSchema,
});

export const NoteEventSchema = z.object({
  object_kind: z.literal('note'),
  user: UserRefSchema,
  project: ProjectSchema,
  object_attributes: z.object({
    id: z.number(),
    note: z.string(),
    noteable_type: z.string(),
    action: z.string().optional(),
    system: z.boolean().nullish(),
    url: z.string().optional(),
    discussion_id: z.string().nullish(),
  }),
  merge_request: MergeRequestAttributes.extend({ labels: Labels }).optional(),
  issue: IssueAttributes.extend({ labels: Labels }).optional(),
});

export const PushEventSchema = z.object({
  object_kind: z.enum(['push', 'tag_push']),
  ref: z.string(),
  before: z.string(),
  after: z.string(),
  user_id: z.number(),
  user_username: z.string(),
  user_name: z.string().optional(),
  project: ProjectSchema,
  total_commits_count: z.number().optional(),
});

export const PipelineEventSchema = z.object({
  object_kind: z.literal('pipeline'),
  // GitLab sends `user: null` for pipelines without a user (some triggers and schedules).
  user: UserRefSchema.nullable(),
  project: ProjectSchema,
  object_attributes: z.object({
    id: z.number(),
    ref: z.string(),
    status: z.string(),
    source: z.string().optional(),
    url: z.string().optional(),
  }),
  merge_request: z
    .object({
      iid: z.number(),
      title: z.string(),
      state: z.string(),
      source_branch: z.string(),
      target_branch: z.string(),
      url: z.string().optional(),
    })
    .nullish(),
});

export type MergeRequestEvent = z.infer<typeof MergeRequestEventSchema>;
export type IssueEvent = z.infer<typeof IssueEventSchema>;
export type NoteEvent = z.infer<typeof NoteEventSchema>;
export type PushEvent = z.infer<typeof PushEventSchema>;
export type PipelineEvent = z.infer<typeof PipelineEventSchema>;

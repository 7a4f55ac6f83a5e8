// zod schemas of rule files: the single source of truth for their shape, their types and their JSON Schema.
import { z } from 'zod';
import { Cron } from 'croner';
import { ROLES } from './access.js';
import { parseDuration } from './duration.js';
import { EVENT_NAMES, isEventName } from './events.js';
import { compileGlob } from './glob.js';
import { compileRegex } from './regex.js';
import { compileTemplate } from './template.js';
import {
  ActivityCondition,
  EmojiCondition,
  ApprovalsCondition,
  MergeStatusCondition,
  MilestoneCondition,
  PeopleCondition,
  PipelineCondition,
  ThreadsCondition,
  TypeCondition,
} from './state-schemas.js';
import { DueDateAction, MilestoneAction, PeopleRemoval } from './action-schemas.js';

const nonEmpty = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}, got an empty string` });

/** Stands, in a list of labels or users, for the arguments of the command being run. */
export const ARGS_PLACEHOLDER = '{{ args }}';

const LabelName = nonEmpty('a label name').refine((name) => !name.includes(','), {
  error: 'label names cannot contain commas (GitLab separates labels with commas)',
});
const LabelList = z.array(LabelName, { error: 'expected a list of label names' });
const LabelPatternList = z.array(nonEmpty('a label name or pattern such as "scope::*"'), {
  error: 'expected a list of label names or patterns',
});
const Username = nonEmpty('a username').transform((name) => name.replace(/^@/, ''));
const UsernameList = z.array(Username, { error: 'expected a list of usernames' });
const Glob = nonEmpty('a glob').superRefine((glob, ctx) => {
  const compiled = compileGlob(glob);
  if ('error' in compiled) ctx.addIssue({ code: 'custom', message: compiled.error });
});
const GlobList = z.array(Glob, { error: 'expected a list of globs' });
const GlobOrList = z.union([Glob, z.array(Glob)], { error: 'expected a glob or a list of globs' }).transform((v) => (typeof v === 'string' ? [v] : v));

// RE2 syntax, checked by compiling it the way conditions will (see regex.ts): lookaround, backreferences
// and patterns too large to match quickly are refused here, with where they are and what to write instead.
const Regex = nonEmpty('a regular expression').superRefine((source, ctx) => {
  const compiled = compileRegex(source);
  if ('error' in compiled) ctx.addIssue({ code: 'custom', message: compiled.error });
});

const TextMatch = z.union(
  [
    z.strictObject({ matches: Regex, ignore_case: z.boolean().optional() }),
    z.strictObject({ contains: nonEmpty('text'), ignore_case: z.boolean().optional() }),
  ],
  { error: 'expected {matches: "regex"} or {contains: "text"}' },
);

const atLeastOne = (what: string) =>
  [(value: object) => Object.keys(value).length > 0, { error: `expected at least one of ${what}` }] as const;

const UserMatch = z.union([z.strictObject({ in: UsernameList }), z.strictObject({ not_in: UsernameList })], {
  error: 'expected {in: [usernames]} or {not_in: [usernames]}',
});
const Role = z.enum(ROLES, { error: `expected one of ${ROLES.join(', ')}` });
const ActorMatch = z.union(
  [
    z.strictObject({ in: UsernameList }),
    z.strictObject({ not_in: UsernameList }),
    z.strictObject({ access: Role }),
    z.strictObject({ is: z.literal('author', { error: 'expected "author"' }) }),
  ],
  { error: 'expected {in: [usernames]}, {not_in: [usernames]}, {access: role} or {is: author}' },
);
const ArgsCondition = z
  .strictObject({
    only: z.array(nonEmpty('an argument pattern'), { error: 'expected a list of argument patterns' }).optional(),
    min: z.number().int().nonnegative().optional(),
    max: z.number().int().nonnegative().optional(),
  })
  .refine(...atLeastOne('only, min, max'));

const STATES = ['opened', 'closed', 'merged', 'locked'] as const;
const State = z.enum(STATES, { error: `expected one of ${STATES.join(', ')}` });

const Duration = z
  .string({ error: 'expected a duration such as 30d, 12h, 2w or 45m' })
  .refine((text) => parseDuration(text) !== undefined, { error: 'expected a duration such as 30d, 12h, 2w or 45m' })
  .transform((text) => parseDuration(text)!);
const AgeCondition = z
  .strictObject({ older_than: Duration.optional(), newer_than: Duration.optional() })
  .refine(...atLeastOne('older_than, newer_than'));

const LabelsCondition = z
  .strictObject({ all: LabelPatternList.optional(), any: LabelPatternList.optional(), none: LabelPatternList.optional() })
  .refine(...atLeastOne('all, any, none'));
const FilesCondition = z
  .strictObject({ any: GlobList.optional(), all: GlobList.optional(), none: GlobList.optional() })
  .refine(...atLeastOne('any, all, none'));
const LinesCondition = z
  .strictObject({
    greater_than: z.number().int().nonnegative().optional(),
    less_than: z.number().int().positive().optional(),
  })
  .refine(...atLeastOne('greater_than, less_than'));

/** One condition object: every key it has must hold. `any`, `all` and `not` nest further conditions. */
export const ConditionSchema = z.strictObject({
  labels: LabelsCondition.optional(),
  label_added: LabelPatternList.optional(),
  label_removed: LabelPatternList.optional(),
  title: TextMatch.optional(),
  description: TextMatch.optional(),
  author: UserMatch.optional(),
  user: ActorMatch.optional(),
  args: ArgsCondition.optional(),
  on_mr: z.literal(true, { error: 'expected true' }).optional(),
  on_issue: z.literal(true, { error: 'expected true' }).optional(),
  source_branch: GlobOrList.optional(),
  target_branch: GlobOrList.optional(),
  draft: z.boolean({ error: 'expected true or false' }).optional(),
  state: z
    .union([State, z.array(State)], { error: `expected one of ${STATES.join(', ')}, or a list of them` })
    .transform((v) => (typeof v === 'string' ? [v] : v))
    .optional(),
  files: FilesCondition.optional(),
  changed_lines: LinesCondition.optional(),
  created: AgeCondition.optional(),
  updated: AgeCondition.optional(),
  merged: AgeCondition.optional(),
  approvals: ApprovalsCondition.optional(),
  pipeline: PipelineCondition.optional(),
  merge_status: MergeStatusCondition.optional(),
  conflicts: z.boolean({ error: 'expected true or false' }).optional(),
  threads: ThreadsCondition.optional(),
  assignees: PeopleCondition.optional(),
  reviewers: PeopleCondition.optional(),
  milestone: MilestoneCondition.optional(),
  type: TypeCondition.optional(),
  confidential: z.boolean({ error: 'expected true or false' }).optional(),
  activity: ActivityCondition(Duration).optional(),
  emoji: EmojiCondition.optional(),
  get any() {
    return z.array(ConditionSchema, { error: 'expected a list of conditions' }).min(1).optional();
  },
  get all() {
    return z.array(ConditionSchema, { error: 'expected a list of conditions' }).min(1).optional();
  },
  get not() {
    return ConditionSchema.optional();
  },
});
export type Condition = z.infer<typeof ConditionSchema>;

const TemplateString = z.string({ error: 'expected a text' }).min(1).superRefine((source, ctx) => {
  const compiled = compileTemplate(source);
  if ('error' in compiled) ctx.addIssue({ code: 'custom', message: compiled.error });
});

const Comment = z
  .union(
    [
      TemplateString,
      z.strictObject({
        body: TemplateString,
        internal: z.boolean().default(false),
        /** One comment per key per merge request or issue, edited in place afterwards. */
        key: z.string().regex(/^[\w.-]{1,64}$/, { error: 'expected a key of letters, digits, _, . or - (at most 64)' }).optional(),
      }),
    ],
    { error: 'expected a comment text or {body, internal, key}' },
  )
  .transform((c) => (typeof c === 'string' ? { body: c, internal: false } : c));

const ACTION_KEYS =
  'add_labels, remove_labels, comment, assign, request_review, unassign, remove_reviewers, milestone, due_date, draft, lock_discussion, confidential, close, reopen, react, reply, merge, auto_merge, backport, rebase, pipeline';

export const ActionsSchema = z
  .strictObject({
    add_labels: LabelList.optional(),
    remove_labels: LabelList.optional(),
    comment: Comment.optional(),
    assign: UsernameList.optional(),
    request_review: z
      .union(
        [
          UsernameList,
          z.strictObject({
            pick: z.number({ error: 'expected a whole number' }).int().positive(),
            from: z.array(Username, { error: 'expected a list of usernames' }).min(1),
          }),
        ],
        { error: 'expected a list of usernames, or {pick: n, from: [usernames]}' },
      )
      .optional(),
    unassign: PeopleRemoval.optional(),
    remove_reviewers: PeopleRemoval.optional(),
    milestone: MilestoneAction.optional(),
    due_date: DueDateAction.optional(),
    draft: z.boolean({ error: 'expected true or false' }).optional(),
    lock_discussion: z.boolean({ error: 'expected true or false' }).optional(),
    confidential: z.boolean({ error: 'expected true or false' }).optional(),
    close: z.literal(true, { error: 'expected true' }).optional(),
    reopen: z.literal(true, { error: 'expected true' }).optional(),
    react: z.string({ error: 'expected an emoji name such as thumbsup' }).regex(/^[\w+-]+$/, { error: 'expected an emoji name such as thumbsup' }).optional(),
    reply: TemplateString.optional(),
    merge: z
      .strictObject({ auto_merge: z.boolean().default(true), squash: z.boolean().optional() }, { error: 'expected {auto_merge, squash}' })
      .optional(),
    rebase: z.literal(true, { error: 'expected true' }).optional(),
    /** For a merged merge request: cherry-pick its merge commit onto a branch from `to`, and open a merge request. */
    backport: z.strictObject({ to: nonEmpty('a branch name') }, { error: 'expected {to: branch}' }).optional(),
    /** Merge once the pipeline succeeds, through the merge train when the project uses one. */
    auto_merge: z
      .union([z.literal(true), z.strictObject({ squash: z.boolean({ error: 'expected true or false' }).optional() })], { error: 'expected true or {squash}' })
      .transform((value) => (value === true ? {} : value))
      .optional(),
    pipeline: z
      .strictObject(
        {
          ref: TemplateString.optional(),
          variables: z.record(z.string().regex(/^\w+$/, { error: 'expected a variable name (letters, digits, _)' }), z.string()).optional(),
        },
        { error: 'expected {ref, variables}' },
      )
      .optional(),
  })
  .refine(...atLeastOne(ACTION_KEYS));
export type Actions = z.infer<typeof ActionsSchema>;

const EventName = z.string({ error: 'expected an event name' }).superRefine((name, ctx) => {
  if (name === 'command.help') {
    ctx.addIssue({ code: 'custom', message: '"help" is built in: it lists the commands each user may run' });
  } else if (!isEventName(name)) {
    ctx.addIssue({ code: 'custom', message: `unknown event "${name}" (known: ${[...EVENT_NAMES].join(', ')}, command.<name>)` });
  }
});

const CronExpression = z.string({ error: 'expected a cron expression such as "0 6 * * *"' }).superRefine((pattern, ctx) => {
  try {
    new Cron(pattern, { paused: true, timezone: 'UTC' });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `expected a cron expression such as "0 6 * * *": ${(error as Error).message}` });
  }
});

const Scope = z.union([z.strictObject({ project: nonEmpty('a project path or id') }), z.strictObject({ group: nonEmpty('a group path or id') })], {
  error: 'expected {project: "group/project"} or {group: "group"}',
});

const SCHEDULE_KEYS = ['schedule', 'resource', 'scope', 'limit', 'summary'] as const;
/** Schedule keys a schedule rule may leave out. */
const OPTIONAL_SCHEDULE_KEYS: readonly string[] = ['limit', 'summary'];

export const RuleSchema = z
  .strictObject({
    name: nonEmpty('a rule name'),
    on: z
      .union([EventName, z.array(EventName).min(1, { error: 'expected at least one event' })], {
        error: 'expected an event name or a list of event names',
      })
      .transform((v) => (typeof v === 'string' ? [v] : v)),
    /** Cron expression (UTC) of a schedule rule. */
    schedule: CronExpression.optional(),
    resource: z.enum(['merge_requests', 'issues'], { error: 'expected merge_requests or issues' }).optional(),
    scope: Scope.optional(),
    /** At most this many items acted on per run of a schedule rule. */
    limit: z.number({ error: 'expected a number' }).int().positive().optional(),
    /** For `on: schedule` rules: one issue per run listing every item acted on. */
    summary: z
      .strictObject(
        {
          title: nonEmpty('an issue title'),
          body: z.string({ error: 'expected a text' }).optional(),
          /** Where the issue is created; default: the rule's `scope.project`. */
          project: nonEmpty('a project path or id').optional(),
        },
        { error: 'expected {title, body, project}' },
      )
      .optional(),
    if: ConditionSchema.optional(),
    then: ActionsSchema,
  })
  .superRefine((rule, ctx) => {
    const isSchedule = rule.on.includes('schedule');
    if (isSchedule && rule.on.length > 1) {
      ctx.addIssue({ code: 'custom', path: ['on'], message: 'a schedule rule listens to "schedule" only' });
    }
    for (const key of ['react', 'reply'] as const) {
      if (isSchedule && rule.then[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['then', key], message: `${key} answers a comment, and a schedule rule has none (use comment)` });
      }
    }
    if (rule.summary && !rule.summary.project && rule.scope && 'group' in rule.scope) {
      ctx.addIssue({ code: 'custom', path: ['summary', 'project'], message: 'expected the project to create the summary issue in, for a rule scanning a group' });
    }
    for (const key of SCHEDULE_KEYS) {
      if (isSchedule && !OPTIONAL_SCHEDULE_KEYS.includes(key) && rule[key] === undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `expected ${key} for a rule with on: schedule, got nothing` });
      }
      if (!isSchedule && rule[key] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `only rules with on: schedule take ${key}` });
      }
    }
  });
export type RuleSpec = z.infer<typeof RuleSchema>;

/** A whole rule file. */
/** A label rules rely on: created with this color and description by `rulebot labels sync`, or before an action adds it. */
export const LabelSpecSchema = z.strictObject(
  {
    name: LabelName,
    color: z.string({ error: 'expected a color such as "#d9534f"' }).regex(/^#[0-9a-fA-F]{6}$/, { error: 'expected a color such as "#d9534f"' }),
    description: z.string({ error: 'expected a text' }).optional(),
  },
  { error: 'expected {name, color, description}' },
);
export type LabelSpec = z.infer<typeof LabelSpecSchema>;

export const RuleFileSchema = z
  .strictObject({
    projects: z.array(Glob, { error: 'expected a list of project path globs' }).optional(),
    /** Labels the rules use, declared so that they exist with their colors. */
    labels: z.array(LabelSpecSchema, { error: 'expected a list of {name, color, description}' }).optional(),
    /** Required, unless the file only declares labels. */
    rules: z.array(RuleSchema, { error: 'expected a list of rules' }).optional(),
  })
  .superRefine((file, ctx) => {
    if (file.rules === undefined && file.labels === undefined) {
      ctx.addIssue({ code: 'custom', path: ['rules'], message: 'expected a list of rules, got nothing' });
    }
  });
export type RuleFile = z.infer<typeof RuleFileSchema>;

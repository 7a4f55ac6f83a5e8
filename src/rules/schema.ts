// zod schemas of rule files: the single source of truth for their shape, their types and their JSON Schema.
import { z } from 'zod';
import { Cron } from 'croner';
import { ROLES } from './access.js';
import { parseDuration } from './duration.js';
import { EVENT_NAMES, isEventName } from './events.js';
import { compileGlob } from './glob.js';
import { parsePresetRef } from './preset-ref.js';
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
import { ActionUserList, DueDateAction, MilestoneAction, PeopleRemoval } from './action-schemas.js';

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
  .refine(...atLeastOne('only, min, max'))
  .meta({ minProperties: 1 });

const STATES = ['opened', 'closed', 'merged', 'locked'] as const;
const State = z.enum(STATES, { error: `expected one of ${STATES.join(', ')}` });

const Duration = z
  .string({ error: 'expected a duration such as 30d, 12h, 2w or 45m' })
  .refine((text) => parseDuration(text) !== undefined, { error: 'expected a duration such as 30d, 12h, 2w or 45m' })
  .transform((text) => parseDuration(text)!);
const AgeCondition = z
  .strictObject({ older_than: Duration.optional(), newer_than: Duration.optional() })
  .refine(...atLeastOne('older_than, newer_than'))
  .meta({ minProperties: 1 });

const LabelsCondition = z
  .strictObject({ all: LabelPatternList.optional(), any: LabelPatternList.optional(), none: LabelPatternList.optional() })
  .refine(...atLeastOne('all, any, none'))
  .meta({ minProperties: 1 });
const FilesCondition = z
  .strictObject({ any: GlobList.optional(), all: GlobList.optional(), none: GlobList.optional() })
  .refine(...atLeastOne('any, all, none'))
  .meta({ minProperties: 1 });
const LinesCondition = z
  .strictObject({
    greater_than: z.number().int().nonnegative().optional(),
    less_than: z.number().int().positive().optional(),
  })
  .refine(...atLeastOne('greater_than, less_than'))
  .meta({ minProperties: 1 });

/** One condition object: every key it has must hold. `any`, `all` and `not` nest further conditions. */
export const ConditionSchema = z.strictObject({
  labels: LabelsCondition.optional().describe('The labels after the event: all, any or none of them match these patterns (`*` for any run of characters).'),
  label_added: LabelPatternList.optional().describe('This event added a label matching one of the patterns.'),
  label_removed: LabelPatternList.optional().describe('This event removed a label matching one of the patterns.'),
  title: TextMatch.optional().describe('The title matches an RE2 regular expression, or contains a text.'),
  description: TextMatch.optional().describe('The description matches an RE2 regular expression, or contains a text.'),
  author: UserMatch.optional().describe("The merge request's or issue's author is (not) one of these usernames."),
  user: ActorMatch.optional().describe('Who caused the event (the commenter, for commands): usernames, a role, or the author.'),
  args: ArgsCondition.optional().describe("Commands only: the command's arguments."),
  on_mr: z.literal(true, { error: 'expected true' }).optional().describe('Commands only: the comment is on a merge request.'),
  on_issue: z.literal(true, { error: 'expected true' }).optional().describe('Commands only: the comment is on an issue.'),
  source_branch: GlobOrList.optional().describe("The merge request's source branch matches a glob."),
  target_branch: GlobOrList.optional().describe("The merge request's target branch matches a glob."),
  draft: z.boolean({ error: 'expected true or false' }).optional().describe('The merge request is (true) or is not (false) a draft.'),
  state: z
    .union([State, z.array(State)], { error: `expected one of ${STATES.join(', ')}, or a list of them` })
    .transform((v) => (typeof v === 'string' ? [v] : v))
    .optional()
    .describe('The state after the event is one of these.'),
  files: FilesCondition.optional().describe("The merge request's changed paths: any, all or none of them match these globs."),
  changed_lines: LinesCondition.optional().describe('Added plus removed lines are greater than and/or less than these numbers.'),
  created: AgeCondition.optional().describe('Created longer ago than and/or more recently than a duration such as 30d.'),
  updated: AgeCondition.optional().describe('Updated longer ago than and/or more recently than a duration such as 30d.'),
  merged: AgeCondition.optional().describe('Merged longer ago than and/or more recently than a duration such as 30d.'),
  approvals: ApprovalsCondition.optional().describe('Merge requests: approved (every required approval given), {count: {at_least: 2}} or {by: {any: [usernames]}}.'),
  pipeline: PipelineCondition.optional().describe("Merge requests: the head pipeline's status is one of these, e.g. {status: success} (none: no pipeline)."),
  merge_status: MergeStatusCondition.optional().describe("Merge requests: GitLab's detailed_merge_status is one of these, e.g. mergeable, conflict, need_rebase."),
  conflicts: z.boolean({ error: 'expected true or false' }).optional().describe('Merge requests: whether the merge request has conflicts.'),
  threads: ThreadsCondition.optional().describe('The number of unresolved threads, e.g. {unresolved: {at_most: 0}}.'),
  assignees: PeopleCondition.optional().describe('The assignees: {none: true}, {any: [usernames]} or {count: {at_least: n}}.'),
  reviewers: PeopleCondition.optional().describe('Merge requests: the reviewers: {none: true}, {any: [usernames]} or {count: {at_least: n}}.'),
  milestone: MilestoneCondition.optional().describe('The milestone: {is: "17.0"} or {none: true}.'),
  type: TypeCondition.optional().describe('The type: issue, incident, task, epic, … (merge_request for merge requests).'),
  confidential: z.boolean({ error: 'expected true or false' }).optional().describe('Issues: whether the issue is confidential.'),
  activity: ActivityCondition(Duration)
    .optional()
    .describe("Schedule rules: the last comment by a person (never rulebot's, nor ignore_activity_from's) is older_than and/or newer_than a duration."),
  emoji: EmojiCondition.optional().describe('Emoji events: the emoji awarded or revoked is one of these, e.g. [thumbsup, rocket].'),
  get any() {
    return z.array(ConditionSchema, { error: 'expected a list of conditions' }).min(1).optional().describe('At least one of these conditions holds.');
  },
  get all() {
    return z.array(ConditionSchema, { error: 'expected a list of conditions' }).min(1).optional().describe('Every one of these conditions holds.');
  },
  get not() {
    return ConditionSchema.optional().describe('This condition does not hold.');
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
    add_labels: LabelList.optional().describe('Labels to add (exact titles, no commas).'),
    remove_labels: LabelList.optional().describe('Labels to remove.'),
    comment: Comment.optional().describe('A comment to post: a template such as "Thanks @{{ user.username }}!", or {body, internal, key} (key: one comment, edited in place).'),
    assign: ActionUserList.optional().describe('Usernames to add to the assignees.'),
    request_review: z
      .union(
        [
          ActionUserList,
          z
            .strictObject({
              pick: z.number({ error: 'expected a whole number' }).int().positive(),
              from: ActionUserList.min(1),
            })
            .superRefine(({ pick, from }, ctx) => {
              // Fewer to pick from than asked for would ask every one of them, every time: a mistake.
              if (pick > from.length) ctx.addIssue({ code: 'custom', path: ['pick'], message: `expected at most ${from.length} (the users in "from"), got ${pick}` });
            }),
        ],
        { error: 'expected a list of usernames, or {pick: n, from: [usernames]}' },
      )
      .optional()
      .describe('Merge requests: usernames to ask for review, or {pick: n, from: [usernames]}: the n of them with the fewest open reviews.'),
    unassign: PeopleRemoval.optional().describe('Assignees to remove: true for everyone, or a list of usernames.'),
    remove_reviewers: PeopleRemoval.optional().describe('Merge requests: reviewers to remove: true for everyone, or a list of usernames.'),
    milestone: MilestoneAction.optional().describe('Set the milestone by title (of the project or its groups), or null to remove it.'),
    due_date: DueDateAction.optional().describe('Issues: set the due date, "+7d", "+2w" or "2025-12-31", or null to remove it.'),
    draft: z.boolean({ error: 'expected true or false' }).optional().describe('Merge requests: mark as draft (true) or ready (false).'),
    lock_discussion: z.boolean({ error: 'expected true or false' }).optional().describe('Lock (true) or unlock (false) the discussion.'),
    confidential: z.boolean({ error: 'expected true or false' }).optional().describe('Issues: make confidential (true) or not (false).'),
    close: z.literal(true, { error: 'expected true' }).optional().describe('Close it, if it is open.'),
    reopen: z.literal(true, { error: 'expected true' }).optional().describe('Reopen it, if it is closed.'),
    react: z
      .string({ error: 'expected an emoji name such as thumbsup' })
      .regex(/^[\w+-]+$/, { error: 'expected an emoji name such as thumbsup' })
      .optional()
      .describe("Commands only: an emoji to put on the command's comment, e.g. thumbsup."),
    reply: TemplateString.optional().describe("Commands only: a comment answering the command, in the command's thread."),
    merge: z
      .strictObject({ auto_merge: z.boolean().default(true), squash: z.boolean().optional() }, { error: 'expected {auto_merge, squash}' })
      .optional()
      .describe('Commands only: merge the merge request (auto_merge: when its pipeline succeeds).'),
    rebase: z.literal(true, { error: 'expected true' }).optional().describe('Commands only: ask GitLab to rebase the merge request.'),
    /** For a merged merge request: cherry-pick its merge commit onto a branch from `to`, and open a merge request. */
    backport: z
      .strictObject({ to: nonEmpty('a branch name') }, { error: 'expected {to: branch}' })
      .optional()
      .describe('Merged merge requests: cherry-pick the merge commit onto a new branch from `to` and open a merge request for it.'),
    /** Merge once the pipeline succeeds, through the merge train when the project uses one. */
    auto_merge: z
      .union([z.literal(true), z.strictObject({ squash: z.boolean({ error: 'expected true or false' }).optional() })], { error: 'expected true or {squash}' })
      .transform((value) => (value === true ? {} : value))
      .optional()
      .describe('Merge requests: merge when the pipeline succeeds (through the merge train when the project uses one); {squash: true} squashes.'),
    pipeline: z
      .strictObject(
        {
          ref: TemplateString.optional(),
          variables: z.record(z.string().regex(/^\w+$/, { error: 'expected a variable name (letters, digits, _)' }), z.string()).optional(),
        },
        { error: 'expected {ref, variables}' },
      )
      .optional()
      .describe("Commands only: create a pipeline, by default for the merge request's source branch."),
  })
  .refine(...atLeastOne(ACTION_KEYS))
  .meta({ minProperties: 1 });
export type Actions = z.infer<typeof ActionsSchema>;

const EventName = z
  .string({ error: 'expected an event name' })
  .superRefine((name, ctx) => {
    if (name === 'command.help') {
      ctx.addIssue({ code: 'custom', message: '"help" is built in: it lists the commands each user may run' });
    } else if (name === 'command.why') {
      ctx.addIssue({ code: 'custom', message: '"why" is built in: it shows the last events on a merge request or issue and why rules fired or not (WHY_COMMAND_ACCESS sets who may ask)' });
    } else if (!isEventName(name)) {
      ctx.addIssue({ code: 'custom', message: `unknown event "${name}" (known: ${[...EVENT_NAMES].join(', ')}, command.<name>)` });
    }
  })
  // For editors: the names they may complete, as the check above accepts them.
  .meta({ anyOf: [{ enum: [...EVENT_NAMES] }, { pattern: '^command\\.[a-z][\\w-]*$', not: { enum: ['command.help', 'command.why'] } }] });

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
    name: nonEmpty('a rule name').describe('A name, unique in the configuration; it appears in logs and in rulebot simulate.'),
    on: z
      .union([EventName, z.array(EventName).min(1, { error: 'expected at least one event' })], {
        error: 'expected an event name or a list of event names',
      })
      .transform((v) => (typeof v === 'string' ? [v] : v))
      .describe('The events the rule listens to: merge_request.open, issue, note.create, command.<name>, schedule, …'),
    /** Cron expression (UTC) of a schedule rule. */
    schedule: CronExpression.optional().describe('Schedule rules: a cron expression, in UTC, e.g. "0 6 * * *".'),
    resource: z.enum(['merge_requests', 'issues'], { error: 'expected merge_requests or issues' }).optional().describe('Schedule rules: what they scan.'),
    scope: Scope.optional().describe("Schedule rules: the project or group they scan (in a project's own file: that project, the default)."),
    /** At most this many items acted on per run of a schedule rule. */
    limit: z.number({ error: 'expected a number' }).int().positive().optional().describe('Schedule rules: at most this many items acted on per run.'),
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
      .optional()
      .describe("Schedule rules: one issue per run listing every item acted on, {title, body, project} (project: default the rule's scope.project)."),
    if: ConditionSchema.optional().describe('The conditions: every key must hold. Without it, the rule fires on every event it listens to.'),
    then: ActionsSchema.describe('The actions, at least one.'),
    /** Replaces the rule of the same name that a file this one extends defines. */
    override: z.literal(true, { error: 'expected true' }).optional().describe('Replaces the rule of the same name that a preset this file extends defines.'),
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

/** A preset a rule file extends: `group/project:path/to/file.yml`, optionally `@branch`, `@tag` or `@commit`. */
export const PresetReferenceSchema = z
  .string({ error: 'expected a preset such as "group/project:path/to/file.yml"' })
  .superRefine((text, ctx) => {
    const parsed = parsePresetRef(text);
    if ('error' in parsed) ctx.addIssue({ code: 'custom', message: parsed.error });
  })
  .meta({ pattern: '^[\\w.-]+(/[\\w.-]+)+:.+$' });

/** At most this many presets in one `extends` list (and in one configuration, see extends.ts). */
export const MAX_PRESET_FILES = 20;

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

/** A whole rule file. */
export const RuleFileSchema = z
  .strictObject({
    /** Files whose rules come first, read from GitLab: shared presets. */
    extends: z
      .array(PresetReferenceSchema, { error: 'expected a list of presets such as "group/project:path/to/file.yml"' })
      .max(MAX_PRESET_FILES, { error: `expected at most ${MAX_PRESET_FILES} presets` })
      .optional()
      .describe('Presets whose rules come first: "group/project:path/to/file.yml", optionally @branch, @tag or @commit.'),
    projects: z
      .array(Glob, { error: 'expected a list of project path globs' })
      .optional()
      .describe("Central rule files only: globs over the projects' full paths that the file's rules apply to."),
    /** Labels the rules use, declared so that they exist with their colors. */
    labels: z
      .array(LabelSpecSchema, { error: 'expected a list of {name, color, description}' })
      .optional()
      .describe('Labels the rules use, {name, color, description}: created by rulebot labels sync, or before an action adds one.'),
    rules: z.array(RuleSchema, { error: 'expected a list of rules' }).optional().describe('The rules, fired in this order.'),
  })
  // A file that only extends presets, or only declares labels, needs no rules of its own. Checked beside the other problems of the file.
  .refine((file) => file.rules !== undefined || file.extends !== undefined || file.labels !== undefined, {
    path: ['rules'],
    error: 'expected a list of rules',
    when: ({ value }) => typeof value === 'object' && value !== null && !Array.isArray(value),
  })
  .meta({ anyOf: [{ required: ['rules'] }, { required: ['extends'] }, { required: ['labels'] }] });
export type RuleFile = z.infer<typeof RuleFileSchema>;

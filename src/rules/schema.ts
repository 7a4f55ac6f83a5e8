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
import { readUserItem } from './user-list.js';

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
/** Users an action names: usernames, `@me`, `{{ args }}`, `{{ user.username }}`, `{{ author.username }}` (see user-list.ts). */
const ActionUser = nonEmpty('a username').transform((item, ctx) => {
  const read = readUserItem(item);
  if ('error' in read) {
    ctx.addIssue({ code: 'custom', message: read.error });
    return z.NEVER;
  }
  return read.value;
});
const ActionUserList = z.array(ActionUser, { error: 'expected a list of usernames' });
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
  .union([TemplateString, z.strictObject({ body: TemplateString, internal: z.boolean().default(false) })], {
    error: 'expected a comment text or {body, internal}',
  })
  .transform((c) => (typeof c === 'string' ? { body: c, internal: false } : c));

const ACTION_KEYS = 'add_labels, remove_labels, comment, assign, request_review, close, reopen, react, reply, merge, rebase, pipeline';

export const ActionsSchema = z
  .strictObject({
    add_labels: LabelList.optional().describe('Labels to add (exact titles, no commas).'),
    remove_labels: LabelList.optional().describe('Labels to remove.'),
    comment: Comment.optional().describe('A comment to post: a template such as "Thanks @{{ user.username }}!", or {body, internal}.'),
    assign: ActionUserList.optional().describe('Usernames to add to the assignees.'),
    request_review: ActionUserList.optional().describe('Usernames to ask for review (merge requests).'),
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

const SCHEDULE_KEYS = ['schedule', 'resource', 'scope', 'limit'] as const;

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
    for (const key of SCHEDULE_KEYS) {
      if (isSchedule && key !== 'limit' && rule[key] === undefined) {
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
    rules: z.array(RuleSchema, { error: 'expected a list of rules' }).optional().describe('The rules, fired in this order.'),
  })
  // A file that only extends presets needs no rules of its own. Checked beside the other problems of the file.
  .refine((file) => file.rules !== undefined || file.extends !== undefined, {
    path: ['rules'],
    error: 'expected a list of rules',
    when: ({ value }) => typeof value === 'object' && value !== null && !Array.isArray(value),
  })
  .meta({ anyOf: [{ required: ['rules'] }, { required: ['extends'] }] });
export type RuleFile = z.infer<typeof RuleFileSchema>;

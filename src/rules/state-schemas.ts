// zod schemas of the conditions on a merge request's or issue's state in GitLab: approvals, pipeline, mergeability, threads, people, milestone, type.
import { z } from 'zod';
import { ActionUserList } from './action-schemas.js';

const nonEmpty = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}, got an empty string` });
const Username = nonEmpty('a username').transform((name) => name.replace(/^@/, ''));
const UsernameList = z.array(Username, { error: 'expected a list of usernames' });
const Count = z.number({ error: 'expected a whole number' }).int().nonnegative();

const atLeastOne = (what: string) =>
  [(value: object) => Object.keys(value).length > 0, { error: `expected at least one of ${what}` }] as const;
const oneOrMany = <T extends z.ZodType<string>>(item: T, what: string) =>
  z.union([item, z.array(item).min(1)], { error: `expected ${what}, or a list of them` }).transform((v) => (typeof v === 'string' ? [v] : v) as z.output<T>[]);

/** `{at_least, at_most}`, both inclusive. */
export const CountRange = z
  .strictObject({ at_least: Count.optional(), at_most: Count.optional() }, { error: 'expected {at_least: n} or {at_most: n}' })
  .refine(...atLeastOne('at_least, at_most'));

/** `approvals: approved`, or `{approved, count: {at_least}, by: {any: [users]}}`. */
export const ApprovalsCondition = z
  .union(
    [
      z.literal('approved').transform(() => ({ approved: true })),
      z
        .strictObject({
          approved: z.boolean({ error: 'expected true or false' }).optional(),
          count: CountRange.optional(),
          by: z.strictObject({ any: ActionUserList }, { error: 'expected {any: [usernames]}' }).optional(),
        })
        .refine(...atLeastOne('approved, count, by')),
    ],
    { error: 'expected approved or {approved, count: {at_least: n}, by: {any: [usernames]}}' },
  )
  .transform((value) => value as { approved?: boolean | undefined; count?: z.output<typeof CountRange> | undefined; by?: { any: string[] } | undefined });

/** Head pipeline statuses GitLab reports, plus `none` for a merge request without one. */
export const PIPELINE_STATUSES = [
  'none', 'created', 'waiting_for_resource', 'preparing', 'pending', 'running', 'success', 'failed', 'canceling', 'canceled', 'skipped', 'manual', 'scheduled',
] as const;
const PipelineStatus = z.enum(PIPELINE_STATUSES, { error: `expected one of ${PIPELINE_STATUSES.join(', ')}` });
export const PipelineCondition = z.strictObject({ status: oneOrMany(PipelineStatus, `one of ${PIPELINE_STATUSES.join(', ')}`) }, { error: 'expected {status: success}' });

/** GitLab's `detailed_merge_status` values. https://docs.gitlab.com/api/merge_requests/#merge-status */
export const MERGE_STATUSES = [
  'approvals_syncing', 'checking', 'ci_must_pass', 'ci_still_running', 'commits_status', 'conflict', 'discussions_not_resolved', 'draft_status',
  'jira_association_missing', 'mergeable', 'merge_request_blocked', 'merge_time', 'need_rebase', 'not_approved', 'not_open', 'preparing',
  'requested_changes', 'security_policy_violations', 'status_checks_must_pass', 'title_regex', 'unchecked', 'locked_paths', 'locked_lfs_files',
] as const;
const MergeStatus = z.enum(MERGE_STATUSES, { error: `expected a detailed merge status such as mergeable, conflict, need_rebase, ci_must_pass or not_approved` });
export const MergeStatusCondition = oneOrMany(MergeStatus, 'a detailed merge status such as mergeable');

export const ThreadsCondition = z.strictObject({ unresolved: CountRange }, { error: 'expected {unresolved: {at_most: n}}' });

/** `{none: true}`, `{any: [users]}` or `{count: {at_least, at_most}}`. */
export const PeopleCondition = z
  .strictObject(
    {
      none: z.literal(true, { error: 'expected true' }).optional(),
      any: ActionUserList.optional(),
      count: CountRange.optional(),
    },
    { error: 'expected {none: true}, {any: [usernames]} or {count: {at_least: n}}' },
  )
  .refine(...atLeastOne('none, any, count'));

export const MilestoneCondition = z.union(
  [z.strictObject({ is: nonEmpty('a milestone title') }), z.strictObject({ none: z.literal(true, { error: 'expected true' }) })],
  { error: 'expected {is: "milestone title"} or {none: true}' },
);

/** Work item types in lower case, as GitLab names them; `merge_request` too, so one rule can tell them apart. */
export const TypeCondition = oneOrMany(
  nonEmpty('a type such as issue, incident, task, epic').transform((type) => type.toLowerCase().replace(/ /g, '_')),
  'a type such as issue, incident, task or epic',
);

/** `{older_than, newer_than}` of the last activity of a person, with people (bots) whose activity does not count. */
export const ActivityCondition = (Duration: z.ZodType<number, string>) =>
  z
    .strictObject(
      {
        older_than: Duration.optional(),
        newer_than: Duration.optional(),
        ignore_activity_from: UsernameList.optional(),
      },
      { error: 'expected {older_than: 30d, ignore_activity_from: [usernames]}' },
    )
    .refine((value) => value.older_than !== undefined || value.newer_than !== undefined, { error: 'expected at least one of older_than, newer_than' });

/** Emoji names, as GitLab names them (`thumbsup`, `rocket`), without colons. */
export const EmojiCondition = z.array(
  nonEmpty('an emoji name such as thumbsup').transform((name) => name.replace(/^:|:$/g, '')),
  { error: 'expected a list of emoji names such as [thumbsup, rocket]' },
).min(1);

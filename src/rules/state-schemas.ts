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

/** GitLab's work item types in lower case (spaces as `_`), and `merge_request`: what `type` may name. */
export const ITEM_TYPES = ['issue', 'incident', 'test_case', 'task', 'epic', 'key_result', 'objective', 'requirement', 'ticket', 'merge_request'] as const;

/** Work item types in lower case, as GitLab names them; `merge_request` too, so one rule can tell them apart. */
export const TypeCondition = oneOrMany(
  nonEmpty('a type such as issue, incident, task, epic').transform((type, ctx) => {
    const known = type.toLowerCase().replace(/ /g, '_');
    if ((ITEM_TYPES as readonly string[]).includes(known)) return known;
    // A misspelt type would never match: refused, with the nearest known one.
    const near = nearest(known, ITEM_TYPES);
    ctx.addIssue({ code: 'custom', message: `unknown type "${type}"${near ? ` (did you mean "${near}"?)` : ''}; known: ${ITEM_TYPES.join(', ')}` });
    return z.NEVER;
  }),
  'a type such as issue, incident, task or epic',
);

/** The candidate at most 2 edits away from `word` (the nearest), if any. */
function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
    }
  }
  return rows[a.length]![b.length]!;
}

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

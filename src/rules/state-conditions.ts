// Evaluators of the conditions on state GitLab keeps beyond the payload: approvals, pipeline, mergeability, threads, people, milestone, type.
import type { Subject } from '../event/event.js';
import type { Evaluator, MatchContext, SubjectDetails } from './context.js';
import type { Condition } from './schema.js';
import { namesAuthor, resolveUsernames } from './user-list.js';

export type StateKey = 'emoji' | 'activity' | 'approvals' | 'pipeline' | 'merge_status' | 'conflicts' | 'threads' | 'assignees' | 'reviewers' | 'milestone' | 'type' | 'confidential';
type Compiler<K extends keyof Condition> = (value: NonNullable<Condition[K]>) => Evaluator;
type Range = { at_least?: number | undefined; at_most?: number | undefined };

export const STATE_COMPILERS: { [K in StateKey]-?: Compiler<K> } = {
  // Emoji events only: the emoji awarded or revoked is one of these.
  emoji: (names) => ({ event }) => event.emoji !== undefined && names.includes(event.emoji.name),
  activity: ({ older_than, newer_than, ignore_activity_from }) => {
    const ignored = new Set((ignore_activity_from ?? []).map((name) => name.toLowerCase()));
    return (ctx) => {
      const subject = ctx.event.subject;
      if (!subject) return false;
      const activity = ctx.facts.activity;
      if (!activity) {
        ctx.missing.add('activity');
        return undefined;
      }
      const last = activity.notes.find((note) => !ignored.has(note.username.toLowerCase()))?.at ?? subject.created_at?.getTime();
      if (last === undefined) return false;
      const elapsed = ctx.now - last;
      return (older_than === undefined || elapsed > older_than) && (newer_than === undefined || elapsed < newer_than);
    };
  },
  approvals: ({ approved, count, by }) =>
    onMergeRequest((ctx) => {
      const approvals = ctx.facts.approvals;
      if (!approvals) {
        ctx.missing.add('approvals');
        return undefined;
      }
      if (approved !== undefined && approvals.approved !== approved) return false;
      if (count && !inRange(approvals.usernames.length, count)) return false;
      if (!by) return true;
      const approvers = namedUsers(by.any, ctx);
      return approvers && approvals.usernames.some((name) => approvers.has(name.toLowerCase()));
    }),
  pipeline: ({ status }) => onMergeRequest(withDetails((details) => status.includes((details.pipeline_status ?? 'none') as never))),
  merge_status: (statuses) => onMergeRequest(withDetails((details) => statuses.includes(details.merge_status as never))),
  conflicts: (expected) => onMergeRequest(withDetails((details) => (details.has_conflicts ?? false) === expected)),
  threads: ({ unresolved }) =>
    (ctx) => {
      if (!ctx.event.subject) return false;
      if (ctx.facts.unresolvedThreads === undefined) {
        ctx.missing.add('discussions');
        return undefined;
      }
      return inRange(ctx.facts.unresolvedThreads, unresolved);
    },
  assignees: (spec) => peopleTest(spec, (subject) => subject.assignee_ids, (details) => details.assignees),
  reviewers: (spec) => peopleTest(spec, (subject) => subject.reviewer_ids, (details) => details.reviewers),
  milestone: (spec) =>
    withDetails((details) => ('none' in spec ? details.milestone === undefined : details.milestone === spec.is)),
  type: (types) => (ctx) => {
    const subject = ctx.event.subject;
    if (!subject) return false;
    if (subject.type === 'merge_request') return types.includes('merge_request');
    const type = subject.issue_type ?? ctx.facts.details?.issue_type;
    if (type !== undefined) return types.includes(type);
    // Read once; GitLab versions that name no type have plain issues only.
    return ctx.facts.details ? types.includes('issue') : need(ctx);
  },
  confidential: (expected) => (ctx) => {
    const subject = ctx.event.subject;
    if (!subject) return false;
    if (subject.type === 'merge_request') return !expected;
    const confidential = subject.confidential ?? ctx.facts.details?.confidential;
    if (confidential !== undefined) return confidential === expected;
    return ctx.facts.details ? !expected : need(ctx);
  },
};

/** Keys that cost one read of the object (`GET …/:iid`), then the costlier lists: the order conditions are checked in. */
export const STATE_COST: Readonly<Record<StateKey, number>> = {
  emoji: 0,
  type: 0,
  confidential: 0,
  assignees: 1,
  reviewers: 1,
  milestone: 1,
  pipeline: 1,
  merge_status: 1,
  conflicts: 1,
  approvals: 2,
  threads: 3,
  // Read from the notes only for items that passed every other condition.
  activity: 5,
};

function need(ctx: MatchContext): undefined {
  ctx.missing.add('subject');
  return undefined;
}

function onMergeRequest(inner: Evaluator): Evaluator {
  return (ctx) => (ctx.event.subject?.type === 'merge_request' ? inner(ctx) : false);
}

/** Runs `test` on what GitLab says of the object now, read once per event when first needed. */
function withDetails(test: (details: SubjectDetails) => boolean): Evaluator {
  return (ctx) => {
    if (!ctx.event.subject) return false;
    const details = ctx.facts.details;
    return details ? test(details) : need(ctx);
  };
}

/** `none` and `count` come from the payload's ids when it lists them; `any` needs the usernames. */
function peopleTest(
  spec: { none?: true | undefined; any?: string[] | undefined; count?: Range | undefined },
  ids: (subject: Subject) => number[],
  names: (details: SubjectDetails) => string[],
): Evaluator {
  return (ctx) => {
    const subject = ctx.event.subject;
    if (!subject) return false;
    const details = ctx.facts.details;
    const count = details ? names(details).length : subject.people_known ? ids(subject).length : undefined;
    if (count === undefined) return need(ctx);
    if (spec.none && count > 0) return false;
    if (spec.count && !inRange(count, spec.count)) return false;
    if (!spec.any) return true;
    if (count === 0) return false;
    const wanted = namedUsers(spec.any, ctx);
    if (!wanted) return undefined;
    return details ? names(details).some((name) => wanted.has(name.toLowerCase())) : need(ctx);
  };
}

/**
 * The usernames (lower case) a condition's list of users names for this event, as actions read them:
 * `@me` and `{{ user.username }}` are who caused it, `{{ args }}` the command's arguments. Undefined
 * while the author a `{{ author.username }}` names is still to be read.
 */
function namedUsers(list: readonly string[], ctx: MatchContext): Set<string> | undefined {
  let author: string | undefined;
  if (namesAuthor(list)) {
    const subject = ctx.event.subject;
    author = subject && authorUsername(ctx, subject);
    if (author === undefined) return undefined;
  }
  return new Set(resolveUsernames(list, ctx.event, author).usernames.map((name) => name.toLowerCase()));
}

/** The author's username: from the payload when the event's user wrote the item, otherwise read (the `author` fact). */
export function authorUsername(ctx: MatchContext, subject: Subject): string | undefined {
  if (!subject.complete) {
    ctx.missing.add('subject');
    return undefined;
  }
  // Most events are caused by the author (opening, pushing): then the payload already names them.
  if (subject.author_id === ctx.event.user.id && ctx.event.user.username) return ctx.event.user.username;
  if (ctx.facts.authorUsername !== undefined) return ctx.facts.authorUsername;
  ctx.missing.add('author');
  return undefined;
}

function inRange(value: number, { at_least, at_most }: Range): boolean {
  return (at_least === undefined || value >= at_least) && (at_most === undefined || value <= at_most);
}

/** Every `ignore_activity_from` username of a condition, nested ones included (lower case). */
export function activityIgnores(condition: Condition | undefined, into = new Set<string>()): Set<string> {
  if (!condition) return into;
  for (const name of condition.activity?.ignore_activity_from ?? []) into.add(name.toLowerCase());
  for (const part of [...(condition.any ?? []), ...(condition.all ?? []), ...(condition.not ? [condition.not] : [])]) activityIgnores(part, into);
  return into;
}

// Why a condition on what GitLab keeps beyond the payload does not hold, in people's words: approvals, pipeline, mergeability, threads, people, milestone, type, emoji, activity.
import type { Subject } from '../event/event.js';
import type { MatchContext, SubjectDetails } from './context.js';
import { formatDuration } from './duration.js';
import { clip, count, either, list, quoted, type Describer, type Finding } from './explain-words.js';
import type { Condition } from './schema.js';
import type { StateKey } from './state-conditions.js';

export type { StateKey } from './state-conditions.js';
type Range = { at_least?: number | undefined; at_most?: number | undefined };

export const NO_SUBJECT: Finding = { expected: 'a merge request or issue', found: 'the event concerns no merge request or issue', needs: 'a merge request or issue', has: 'there is none' };

/**
 * Each state condition's explanation. They are asked only about a condition that evaluated to false,
 * so the facts it needed were read (an evaluator that lacks one says "unknown", never false).
 */
export const STATE_DESCRIBERS: { [K in StateKey]-?: Describer<K> } = {
  approvals: ({ approved, count: range, by }, ctx) =>
    onMergeRequest(ctx, () => {
      const approvals = ctx.facts.approvals ?? { approved: false, usernames: [] };
      const n = approvals.usernames.length;
      if (approved !== undefined && approvals.approved !== approved) {
        return {
          part: 'approved',
          expected: approved ? 'approved (every required approval given)' : 'not approved yet',
          found: approvals.approved ? 'it is approved' : `not approved yet (${count(n, 'approval')})`,
          needs: approved ? 'every approval it requires' : 'a merge request not approved yet',
          has: approvals.approved ? 'it is approved' : n === 0 ? 'it has none' : `it has ${count(n, 'approval')}, not every one required`,
        };
      }
      if (range && !inRange(n, range)) return rangeFinding('count.', range, n, 'approval');
      const names = by?.any ?? [];
      return {
        part: 'by.any',
        expected: `an approval by one of ${list(names)}`,
        found: n === 0 ? 'no approvals' : `approved by ${quoted(approvals.usernames)}`,
        needs: `an approval from ${either(names)}`,
        has: n === 0 ? 'it has none' : `only ${either(approvals.usernames)} approved it`,
      };
    }),
  pipeline: ({ status }, ctx) =>
    onMergeRequest(ctx, () => {
      const actual = ctx.facts.details?.pipeline_status ?? 'none';
      const wanted = status.filter((s) => s !== 'none').map((s) => PIPELINE_WORDS[s]?.[1] ?? `be ${s}`);
      const needs = [...(status.includes('none') ? ['no pipeline'] : []), ...(wanted.length > 0 ? [`the pipeline to ${either(wanted)}`] : [])];
      return {
        part: 'status',
        expected: either(status.map(pipelineState)),
        found: pipelineState(actual),
        needs: either(needs),
        has: actual === 'none' ? 'there is none' : `it ${PIPELINE_WORDS[actual]?.[0] ?? `is "${clip(actual)}"`}`,
      };
    }),
  merge_status: (statuses, ctx) =>
    onMergeRequest(ctx, () => {
      const actual = ctx.facts.details?.merge_status ?? 'unknown';
      const words = MERGE_STATUS_WORDS[actual];
      return {
        expected: `merge status ${either(statuses)}`,
        found: `merge status ${clip(actual)}${words ? ` (${words})` : ''}`,
        needs: `GitLab's merge status to be ${either(statuses)}`,
        has: words ?? `its merge status is ${clip(actual)}`,
      };
    }),
  conflicts: (expected, ctx) =>
    onMergeRequest(ctx, () => {
      const found = ctx.facts.details?.has_conflicts ? 'it has conflicts' : 'it has no conflicts';
      return { expected: expected ? 'conflicts' : 'no conflicts', found, needs: `${expected ? '' : 'no '}conflicts with its target branch`, has: found };
    }),
  threads: ({ unresolved }, ctx) => onSubject(ctx, () => rangeFinding('unresolved.', unresolved, ctx.facts.unresolvedThreads ?? 0, 'unresolved thread')),
  assignees: (spec, ctx) => peopleFinding(spec, ctx, 'assignee', (subject) => subject.assignee_ids, (details) => details.assignees),
  reviewers: (spec, ctx) => peopleFinding(spec, ctx, 'reviewer', (subject) => subject.reviewer_ids, (details) => details.reviewers),
  milestone: (spec, ctx) =>
    onSubject(ctx, () => {
      const actual = ctx.facts.details?.milestone;
      const has = actual === undefined ? 'it has none' : `it has "${clip(actual)}"`;
      const found = actual === undefined ? 'no milestone' : `milestone "${clip(actual)}"`;
      if ('none' in spec) return { part: 'none', expected: 'no milestone', found, needs: 'no milestone', has };
      return { part: 'is', expected: `milestone "${clip(spec.is)}"`, found, needs: `the milestone "${clip(spec.is)}"`, has };
    }),
  type: (types, ctx) =>
    onSubject(ctx, (subject) => {
      const actual = subject.type === 'merge_request' ? 'merge_request' : (subject.issue_type ?? ctx.facts.details?.issue_type ?? 'issue');
      return { expected: `type ${either(types)}`, found: `the type is ${clip(actual)}`, needs: either(types.map(typeWords)), has: `this is ${typeWords(clip(actual))}` };
    }),
  confidential: (expected, ctx) =>
    onSubject(ctx, (subject) => {
      const confidential = subject.type === 'issue' && (subject.confidential ?? ctx.facts.details?.confidential ?? false);
      const found = subject.type === 'merge_request' ? 'a merge request, never confidential' : confidential ? 'it is confidential' : 'it is not confidential';
      return {
        expected: expected ? 'a confidential issue' : 'not confidential',
        found,
        needs: expected ? 'a confidential issue' : 'an issue that is not confidential',
        has: subject.type === 'merge_request' ? 'this is a merge request' : found,
      };
    }),
  emoji: (names, { event }) => {
    const expected = `the emoji ${either(names.map((name) => `:${name}:`))}`;
    const found = event.emoji ? `:${clip(event.emoji.name)}: ${event.emoji.action === 'award' ? 'awarded' : 'revoked'}` : 'not an emoji event';
    return { expected: `${expected} awarded or revoked`, found, needs: expected, has: event.emoji ? `this is ${found}` : 'this is not an emoji event' };
  },
  activity: ({ older_than, newer_than, ignore_activity_from }, ctx) =>
    onSubject(ctx, (subject) => {
      const ignored = new Set((ignore_activity_from ?? []).map((name) => name.toLowerCase()));
      const note = ctx.facts.activity?.notes.find((entry) => !ignored.has(entry.username.toLowerCase()));
      const at = note?.at ?? subject.created_at?.getTime();
      const elapsed = at === undefined ? undefined : ctx.now - at;
      const older = older_than !== undefined && (elapsed === undefined || elapsed <= older_than);
      const bound = formatDuration((older ? older_than : newer_than) ?? 0);
      const besides = ignore_activity_from?.length ? ` (not counting ${list(ignore_activity_from)})` : '';
      const ago = elapsed === undefined ? undefined : `${formatDuration(Math.max(0, elapsed))} ago`;
      return {
        part: older ? 'older_than' : 'newer_than',
        expected: `the last activity ${older ? 'more' : 'less'} than ${bound} ago${besides}`,
        found: ago === undefined ? 'no activity known' : `the last activity ${ago}, ${note ? `by "${clip(note.username)}"` : 'its creation'}`,
        needs: older ? `no activity for ${bound}` : `activity in the last ${bound}`,
        has: ago === undefined ? 'none is known' : `the last was ${ago}`,
      };
    }),
};

/** What a state condition asks for when it could not be decided (a fact it needs was not read). */
export function stateRequirement<K extends StateKey>(key: K, value: NonNullable<Condition[K]>): { expected: string; needs: string } {
  const same = (text: string) => ({ expected: text, needs: text });
  switch (key) {
    case 'approvals': {
      const { approved, count: range, by } = value as NonNullable<Condition['approvals']>;
      if (approved !== undefined) return { expected: approved ? 'approved (every required approval given)' : 'not approved yet', needs: approved ? 'every approval it requires' : 'a merge request not approved yet' };
      if (range) return same(rangeText(range, 'approval'));
      return { expected: `an approval by one of ${list(by?.any ?? [])}`, needs: `an approval from ${either(by?.any ?? [])}` };
    }
    case 'pipeline':
      return same(either((value as NonNullable<Condition['pipeline']>).status.map(pipelineState)));
    case 'merge_status':
      return { expected: `merge status ${either(value as string[])}`, needs: `GitLab's merge status to be ${either(value as string[])}` };
    case 'conflicts':
      return { expected: value ? 'conflicts' : 'no conflicts', needs: `${value ? '' : 'no '}conflicts with its target branch` };
    case 'threads':
      return same(rangeText((value as NonNullable<Condition['threads']>).unresolved, 'unresolved thread'));
    case 'assignees':
    case 'reviewers': {
      const role = key === 'assignees' ? 'assignee' : 'reviewer';
      const spec = value as NonNullable<Condition['assignees']>;
      if (spec.none) return same(`no ${role}s`);
      if (spec.count) return same(rangeText(spec.count, role));
      return { expected: `${article(role)} among ${list(spec.any ?? [])}`, needs: `${either(spec.any ?? [])} as ${role}` };
    }
    case 'milestone': {
      const spec = value as NonNullable<Condition['milestone']>;
      return 'none' in spec ? same('no milestone') : { expected: `milestone "${clip(spec.is)}"`, needs: `the milestone "${clip(spec.is)}"` };
    }
    case 'type':
      return { expected: `type ${either(value as string[])}`, needs: either((value as string[]).map(typeWords)) };
    case 'confidential':
      return { expected: value ? 'a confidential issue' : 'not confidential', needs: value ? 'a confidential issue' : 'an issue that is not confidential' };
    case 'emoji':
      return same(`the emoji ${either((value as string[]).map((name) => `:${name}:`))}`);
    default: {
      const { older_than, newer_than } = value as NonNullable<Condition['activity']>;
      return older_than !== undefined
        ? { expected: `the last activity more than ${formatDuration(older_than)} ago`, needs: `no activity for ${formatDuration(older_than)}` }
        : { expected: `the last activity less than ${formatDuration(newer_than ?? 0)} ago`, needs: `activity in the last ${formatDuration(newer_than ?? 0)}` };
    }
  }
}

/** For each head pipeline status: what it is (`succeeded`, `is running`) and what a command needs (`have succeeded`). */
const PIPELINE_WORDS: Readonly<Record<string, readonly [string, string]>> = {
  created: ['has not started', 'be created'],
  waiting_for_resource: ['is waiting for a resource', 'be waiting for a resource'],
  preparing: ['is preparing', 'be preparing'],
  pending: ['is pending', 'be pending'],
  running: ['is running', 'be running'],
  success: ['succeeded', 'have succeeded'],
  failed: ['failed', 'have failed'],
  canceling: ['is being canceled', 'be being canceled'],
  canceled: ['was canceled', 'have been canceled'],
  skipped: ['was skipped', 'have been skipped'],
  manual: ['waits for a manual job', 'wait for a manual job'],
  scheduled: ['is scheduled', 'be scheduled'],
};

function pipelineState(status: string): string {
  if (status === 'none') return 'no pipeline';
  return `a pipeline that ${PIPELINE_WORDS[status]?.[0] ?? `is "${clip(status)}"`}`;
}

/** GitLab's `detailed_merge_status` values, said of the merge request. */
const MERGE_STATUS_WORDS: Readonly<Record<string, string>> = {
  approvals_syncing: 'its approvals are being synced',
  checking: 'GitLab is still checking whether it can be merged',
  ci_must_pass: 'its pipeline must succeed first',
  ci_still_running: 'its pipeline is still running',
  commits_status: 'its source branch is missing or has no commits',
  conflict: 'it has conflicts',
  discussions_not_resolved: 'it has unresolved threads',
  draft_status: 'it is a draft',
  jira_association_missing: 'it names no Jira issue',
  mergeable: 'it can be merged',
  merge_request_blocked: 'it is blocked by another merge request',
  merge_time: 'it may not be merged before its merge time',
  need_rebase: 'it needs a rebase',
  not_approved: 'it is not approved yet',
  not_open: 'it is not open',
  preparing: 'GitLab is still preparing it',
  requested_changes: 'a reviewer requested changes',
  security_policy_violations: 'it violates a security policy',
  status_checks_must_pass: 'its external status checks must pass first',
  title_regex: 'its title does not match the pattern the project requires',
  unchecked: 'GitLab has not checked yet whether it can be merged',
  locked_paths: 'it changes locked paths',
  locked_lfs_files: 'it changes locked LFS files',
};

function peopleFinding(
  spec: { none?: true | undefined; any?: string[] | undefined; count?: Range | undefined },
  ctx: MatchContext,
  role: 'assignee' | 'reviewer',
  ids: (subject: Subject) => number[],
  names: (details: SubjectDetails) => string[],
): Finding {
  return onSubject(ctx, (subject) => {
    const details = ctx.facts.details;
    const known = details ? names(details) : undefined;
    const n = known ? known.length : ids(subject).length;
    const present = n === 0 ? `no ${role}s` : known ? `${role}s ${quoted(known)}` : count(n, role);
    const has = n === 0 ? `it has no ${role}s` : known ? `${role === 'assignee' ? 'it is assigned to' : 'its reviewers are'} ${list(known)}` : `it has ${count(n, role)}`;
    if (spec.none && n > 0) return { part: 'none', expected: `no ${role}s`, found: present, needs: `no ${role}s`, has };
    if (spec.count && !inRange(n, spec.count)) return rangeFinding('count.', spec.count, n, role);
    const wanted = spec.any ?? [];
    return { part: 'any', expected: `${article(role)} among ${list(wanted)}`, found: present, needs: `${either(wanted)} as ${role}`, has };
  });
}

/** The bound of `range` that `value` is outside of, in words: `at least 2 approvals`, found `1 approval`. */
function rangeFinding(prefix: string, range: Range, value: number, noun: string): Finding {
  const below = range.at_least !== undefined && value < range.at_least;
  const expected = below ? `at least ${count(range.at_least!, noun)}` : atMost(range.at_most ?? 0, noun);
  return { part: `${prefix}${below ? 'at_least' : 'at_most'}`, expected, found: count(value, noun), needs: expected, has: `it has ${value === 0 ? 'none' : value}` };
}

/** A range as a requirement: `at least 2 approvals`, `no unresolved threads`, `from 1 to 3 reviewers`. */
function rangeText({ at_least, at_most }: Range, noun: string): string {
  if (at_least !== undefined && at_most !== undefined) return `from ${at_least} to ${count(at_most, noun)}`;
  return at_least !== undefined ? `at least ${count(at_least, noun)}` : atMost(at_most ?? 0, noun);
}

function atMost(n: number, noun: string): string {
  return n === 0 ? `no ${noun}s` : `at most ${count(n, noun)}`;
}

function inRange(value: number, { at_least, at_most }: Range): boolean {
  return (at_least === undefined || value >= at_least) && (at_most === undefined || value <= at_most);
}

/** `merge_request` → `a merge request`, `incident` → `an incident`. */
function typeWords(type: string): string {
  return article(type.replace(/_/g, ' '));
}

function article(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

function onSubject(ctx: MatchContext, describe: (subject: Subject) => Finding): Finding {
  return ctx.event.subject ? describe(ctx.event.subject) : NO_SUBJECT;
}

function onMergeRequest(ctx: MatchContext, describe: () => Finding): Finding {
  if (!ctx.event.subject) return NO_SUBJECT;
  if (ctx.event.subject.type !== 'merge_request') return { expected: 'a merge request', found: 'this is an issue', needs: 'a merge request', has: 'this is an issue' };
  return describe();
}

// The filters and order of GitLab's merge request and issue lists, read and checked from the query.
// https://docs.gitlab.com/api/merge_requests/#list-project-merge-requests
// https://docs.gitlab.com/api/issues/#list-project-issues

import { readChoice, readIdList, readLabelList, readString, type Params } from './params.js';
import { badRequest } from './replies.js';
import type { FakeNote, FakeUser } from './types.js';

export type IssuableKind = FakeNote['noteable_type'];

/** `labels=None`: no label at all; `labels=Any`: at least one; otherwise every one of `names`. */
export type LabelFilter = { kind: 'none' } | { kind: 'any' } | { kind: 'all'; names: string[] };

export interface IssuableQuery {
  state: 'opened' | 'closed' | 'merged' | 'locked' | 'all';
  labels?: LabelFilter;
  notLabels?: string[];
  /** Resolved from `author_username`; an unknown username matches nothing (-1). */
  authorId?: number;
  notAuthorId?: number;
  /** Merge requests: resolved from `reviewer_username`; an unknown username matches nothing (-1). */
  reviewerId?: number;
  /** Only these iids; an empty list filters nothing. */
  iids?: number[];
  sourceBranch?: string;
  targetBranch?: string;
  draft?: boolean;
  /** Bounds in milliseconds since the epoch; GitLab includes the bounds themselves. */
  createdAfter?: number;
  createdBefore?: number;
  updatedAfter?: number;
  updatedBefore?: number;
  orderBy: 'created_at' | 'updated_at' | 'title';
  sort: 'asc' | 'desc';
}

const STATES = {
  MergeRequest: ['opened', 'closed', 'locked', 'merged', 'all'],
  Issue: ['opened', 'closed', 'all'],
} as const;

/**
 * Read the list parameters the fake understands; others are ignored, as Grape ignores undeclared
 * parameters. Branch and draft filters exist only for merge requests. A value GitLab would refuse
 * is answered with its 400 wording, before anything is looked up.
 */
export function readIssuableQuery(
  params: Params,
  kind: IssuableKind,
  userByUsername: (username: string) => FakeUser | undefined,
): IssuableQuery {
  const negated = notParams(params);
  const author = readString(params, 'author_username');
  const notAuthor = readString(negated, 'author_username');
  const query: IssuableQuery = {
    state: readChoice<IssuableQuery['state']>(params, 'state', STATES[kind]) ?? 'all',
    labels: labelFilter(readLabelList(params, 'labels')),
    notLabels: readLabelList(negated, 'labels'),
    authorId: author === undefined ? undefined : (userByUsername(author)?.id ?? -1),
    notAuthorId: notAuthor === undefined ? undefined : userByUsername(notAuthor)?.id,
    iids: readIdList(params, 'iids'),
    createdAfter: readTime(params, 'created_after'),
    createdBefore: readTime(params, 'created_before'),
    updatedAfter: readTime(params, 'updated_after'),
    updatedBefore: readTime(params, 'updated_before'),
    orderBy: readChoice(params, 'order_by', ['created_at', 'updated_at', 'title'] as const) ?? 'created_at',
    sort: readChoice(params, 'sort', ['asc', 'desc'] as const) ?? 'desc',
  };
  if (kind === 'MergeRequest') {
    const reviewer = readString(params, 'reviewer_username');
    query.reviewerId = reviewer === undefined ? undefined : (userByUsername(reviewer)?.id ?? -1);
    query.sourceBranch = readString(params, 'source_branch');
    query.targetBranch = readString(params, 'target_branch');
    const draft = readChoice(params, 'draft', ['yes', 'no', 'true', 'false'] as const);
    query.draft = draft === undefined ? undefined : draft === 'yes' || draft === 'true';
  }
  return query;
}

function labelFilter(names: string[] | undefined): LabelFilter | undefined {
  if (names === undefined || names.length === 0) return undefined;
  const special = names.map((name) => name.toLowerCase());
  if (special.includes('none')) return { kind: 'none' };
  if (special.includes('any')) return { kind: 'any' };
  return { kind: 'all', names };
}

/** `not[labels]=a` arrives as the flat field `not[labels]` from a query, or nested from JSON. */
function notParams(params: Params): Params {
  const nested = params['not'];
  const negated: Params = typeof nested === 'object' && nested !== null && !Array.isArray(nested) ? { ...nested } : {};
  for (const [name, value] of Object.entries(params)) {
    const inner = /^not\[([a-z_]+)\]$/.exec(name)?.[1];
    if (inner !== undefined) negated[inner] = value;
  }
  return negated;
}

/** An ISO 8601 date or date-time; Grape answers `created_after is invalid` to anything else. */
function readTime(params: Params, name: string): number | undefined {
  const text = readString(params, name);
  if (text === undefined) return undefined;
  const time = /^\d{4}-\d\d-\d\d/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) throw badRequest(`${name} is invalid`);
  return time;
}

// Applying a list query to stored merge requests or issues: filter, then order, in one pass each.

import type { Issuable } from './issuable-change.js';
import type { IssuableQuery } from './issuable-query.js';
import type { Stored } from './store.js';

/**
 * The items in scope that match `query`, in its order. Ties are broken by global id in the same
 * direction, as GitLab orders by `(column, id)`. Linear in the number of items, plus the sort.
 */
export function selectIssuables<T extends Issuable>(
  items: Iterable<Stored<T>>,
  inScope: (record: T) => boolean,
  query: IssuableQuery,
): Stored<T>[] {
  const selected: { item: Stored<T>; key: number | string }[] = [];
  for (const item of items) {
    if (inScope(item.record) && matches(item.record, query)) selected.push({ item, key: sortKey(item.record, query) });
  }
  const direction = query.sort === 'asc' ? 1 : -1;
  selected.sort((a, b) => direction * (compare(a.key, b.key) || a.item.id - b.item.id));
  return selected.map(({ item }) => item);
}

function matches(record: Issuable, query: IssuableQuery): boolean {
  if (query.state !== 'all' && record.state !== query.state) return false;
  if (query.iids?.length && !query.iids.includes(record.iid)) return false;
  if (query.authorId !== undefined && record.author_id !== query.authorId) return false;
  if (query.notAuthorId !== undefined && record.author_id === query.notAuthorId) return false;
  if (!matchesLabels(record.labels, query)) return false;
  if (!within(record.created_at, query.createdAfter, query.createdBefore)) return false;
  if (!within(record.updated_at, query.updatedAfter, query.updatedBefore)) return false;
  if ('source_branch' in record) {
    if (query.sourceBranch !== undefined && record.source_branch !== query.sourceBranch) return false;
    if (query.targetBranch !== undefined && record.target_branch !== query.targetBranch) return false;
    if (query.draft !== undefined && record.draft !== query.draft) return false;
    if (query.reviewerId !== undefined && !record.reviewer_ids.includes(query.reviewerId)) return false;
  }
  return true;
}

function matchesLabels(labels: string[], query: IssuableQuery): boolean {
  if (query.notLabels?.some((label) => labels.includes(label))) return false;
  switch (query.labels?.kind) {
    case undefined:
      return true;
    case 'none':
      return labels.length === 0;
    case 'any':
      return labels.length > 0;
    case 'all':
      return query.labels.names.every((label) => labels.includes(label));
  }
}

function within(timestamp: string, after: number | undefined, before: number | undefined): boolean {
  if (after === undefined && before === undefined) return true;
  const time = Date.parse(timestamp);
  return (after === undefined || time >= after) && (before === undefined || time <= before);
}

// Timestamps are compared as instants: seeds may write `…00Z` or `…00.000Z`.
function sortKey(record: Issuable, query: IssuableQuery): number | string {
  return query.orderBy === 'title' ? record.title : Date.parse(record[query.orderBy]);
}

function compare(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

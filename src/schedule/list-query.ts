// Translates what GitLab's list endpoints can filter on into query parameters; the bot checks the rest.
import type { Condition } from '../rules/index.js';
import type { Query } from '../gitlab/index.js';

/**
 * Builds the `GET …/merge_requests` or `…/issues` query for a schedule rule's top-level conditions
 * (the ones that must all hold). Only exact translations are used, so the listing never drops an
 * item the rule would match; every item is still checked against the whole condition by the bot.
 * Items come oldest-updated first, so a run cut short by `limit` resumes where the backlog is oldest.
 */
export function buildListQuery(condition: Condition | undefined, resource: 'merge_requests' | 'issues', now: number): Query {
  const query: Query = { order_by: 'updated_at', sort: 'asc', per_page: 100 };
  const c = condition ?? {};

  const states = c.state;
  query['state'] = states?.length === 1 ? states[0] : 'all';
  if (resource === 'issues' && (query['state'] === 'merged' || query['state'] === 'locked')) query['state'] = 'all';

  const exact = (patterns: readonly string[] | undefined) => patterns?.filter((p) => !p.includes('*')) ?? [];
  const required = exact(c.labels?.all);
  if (required.length > 0) query['labels'] = required.join(',');
  // `not[labels]` leaves out items having any of the labels listed.
  const excluded = exact(c.labels?.none);
  if (excluded.length > 0) query['not[labels]'] = excluded.join(',');

  if (c.author && 'in' in c.author && c.author.in.length === 1) query['author_username'] = c.author.in[0];
  if (c.author && 'not_in' in c.author && c.author.not_in.length === 1) query['not[author_username]'] = c.author.not_in[0];

  if (resource === 'merge_requests') {
    const branch = (globs: readonly string[] | undefined) => (globs?.length === 1 && !/[*?[\]{}!]/.test(globs[0]!) ? globs[0] : undefined);
    query['source_branch'] = branch(c.source_branch);
    query['target_branch'] = branch(c.target_branch);
    if (c.draft !== undefined) query['draft'] = c.draft ? 'yes' : 'no';
  }

  const iso = (ms: number) => new Date(ms).toISOString();
  if (c.updated?.older_than !== undefined) query['updated_before'] = iso(now - c.updated.older_than);
  if (c.updated?.newer_than !== undefined) query['updated_after'] = iso(now - c.updated.newer_than);
  // An item whose last activity is older than a duration was created before it too (its activity is its
  // creation until someone comments): the listing leaves out the young items whose notes could not count.
  const createdBefore = Math.max(c.created?.older_than ?? -Infinity, c.activity?.older_than ?? -Infinity);
  if (createdBefore !== -Infinity) query['created_before'] = iso(now - createdBefore);
  if (c.created?.newer_than !== undefined) query['created_after'] = iso(now - c.created.newer_than);
  return query;
}

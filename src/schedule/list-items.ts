// Streams a merge request or issue listing oldest-updated first, in a way that survives the scan changing items.
import { IssuableSchema, type GitLabClient, type Issuable, type Query } from '../gitlab/index.js';

/** GitLab's largest page. */
const MAX_PAGE_SIZE = 100;

/** Where a listing stands after an item: resuming from it lists what comes after, as if never stopped. */
export interface ListPosition {
  /** `updated_at` of the last item listed (ISO). */
  cursor: string;
  /** `project_id:iid` of the items listed at exactly that instant. */
  seen: string[];
}

/**
 * Lists items updated before `startedAt`, oldest first, one page in memory at a time.
 *
 * GitLab offers only offset pagination for these lists, and a scan changes what it lists: an item
 * acted on gets a new `updated_at` (and perhaps a label the filter excludes), so it leaves the list
 * and every later item moves up — `page=2` would then skip as many items as were acted on. So the
 * listing walks a cursor instead: each request asks for items updated at or after the last one seen
 * (`updated_after`, inclusive), skipping the ids already seen at that instant, and never for items
 * updated after the scan started (`updated_before`), which is where items acted on go.
 */
export async function* listOldestFirst(
  gitlab: GitLabClient,
  path: string,
  query: Query,
  startedAt: number,
  from?: ListPosition,
  /** Items per page: fewer when the caller stops early (a Worker's scan step), so it reads no more than it uses. */
  pageSize = MAX_PAGE_SIZE,
): AsyncGenerator<{ item: Issuable; position: () => ListPosition }> {
  const before = typeof query['updated_before'] === 'string' ? Math.min(Date.parse(query['updated_before']), startedAt) : startedAt;
  let cursor = from?.cursor || (typeof query['updated_after'] === 'string' ? query['updated_after'] : undefined);
  let seenAtCursor = new Set<string>(from?.seen);
  // Where a scan stopping after the item just listed would resume (items listed at the latest instant).
  let position: ListPosition = from ? { cursor: from.cursor, seen: [...from.seen] } : { cursor: '', seen: [] };
  // More items than a page sharing one `updated_at`: then the cursor cannot move and pages are counted.
  let page = 1;
  for (;;) {
    const { items } = await gitlab.requestPage(path, {
      query: { ...query, order_by: 'updated_at', sort: 'asc', per_page: pageSize, page, updated_before: new Date(before).toISOString(), updated_after: cursor },
      schema: IssuableSchema.array(),
    });
    for (const item of items) {
      const id = `${item.project_id}:${item.iid}`;
      if (seenAtCursor.has(id)) continue;
      const at = item.updated_at?.toISOString() ?? '';
      if (at !== position.cursor) position = { cursor: at, seen: [] };
      position.seen.push(id);
      const { cursor: after, seen } = position;
      const count = seen.length;
      yield { item, position: () => ({ cursor: after, seen: seen.slice(0, count) }) };
    }
    if (items.length < pageSize) return;
    const last = items.at(-1)!.updated_at?.toISOString();
    if (last === undefined) return;
    if (last === cursor) {
      page++;
    } else {
      cursor = last;
      page = 1;
      seenAtCursor = new Set();
    }
    for (const item of items) if (item.updated_at?.toISOString() === cursor) seenAtCursor.add(`${item.project_id}:${item.iid}`);
  }
}

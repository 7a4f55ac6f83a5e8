// GitLab's offset pagination: `page`/`per_page` parameters, `x-*` headers and an RFC 8288 `Link` header.
// https://docs.gitlab.com/api/rest/#offset-based-pagination

import { badRequest } from './replies.js';

const DEFAULT_PER_PAGE = 20;
/** Above this many results GitLab stops counting: no `x-total`, `x-total-pages` or `rel="last"`. */
const COUNT_LIMIT = 10_000;

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

/**
 * Cut `items` to the page `requestUrl` asks for. `per_page` defaults to 20 and is capped at
 * `perPageMax`; a page past the end is empty. Links repeat the request's other query parameters,
 * sorted by name as Rails' `to_query` does. Beyond 10,000 items the counts and the last link are
 * left out, as GitLab does for performance; `x-next-page` and `rel="next"` still tell whether more follow.
 */
export function paginate<T>(items: readonly T[], requestUrl: URL, perPageMax: number): Page<T> {
  const page = readPositiveInteger(requestUrl, 'page') ?? 1;
  const perPage = Math.min(perPageMax, readPositiveInteger(requestUrl, 'per_page') ?? DEFAULT_PER_PAGE);
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const nextPage = page < totalPages ? page + 1 : undefined;
  const prevPage = page > 1 && page <= totalPages ? page - 1 : undefined;

  const link = (target: number, rel: string): string => {
    const url = new URL(requestUrl);
    url.searchParams.set('page', String(target));
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.sort();
    return `<${url.href}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (prevPage) links.push(link(prevPage, 'prev'));
  if (nextPage) links.push(link(nextPage, 'next'));
  const counted = items.length <= COUNT_LIMIT;
  links.push(link(1, 'first'));
  if (counted) links.push(link(totalPages, 'last'));

  const headers: Record<string, string> = {
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-next-page': nextPage === undefined ? '' : String(nextPage),
    'x-prev-page': prevPage === undefined ? '' : String(prevPage),
    link: links.join(', '),
  };
  if (counted) {
    headers['x-total'] = String(items.length);
    headers['x-total-pages'] = String(totalPages);
  }
  return { items: items.slice((page - 1) * perPage, page * perPage), headers };
}

// Values below 1 fall back to the default, like Kaminari; text that is not a number is refused.
function readPositiveInteger(url: URL, name: string): number | undefined {
  const value = url.searchParams.get(name);
  if (value === null || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw badRequest(`${name} is invalid`);
  const number = Number.parseInt(value, 10);
  return number >= 1 ? number : undefined;
}

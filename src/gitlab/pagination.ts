// Reads GitLab's offset-pagination headers: `Link: <…>; rel="next"` first, `x-next-page` otherwise.

export function parsePagination(headers: Headers): { nextPage: number | undefined; nextUrl: string | undefined } {
  const nextUrl = nextLink(headers.get('link'));
  const raw = headers.get('x-next-page');
  const nextPage = raw && /^\d+$/.test(raw) ? Number(raw) : undefined;
  return { nextPage, nextUrl };
}

/** The `rel="next"` target of an RFC 8288 `Link` header, if any. */
export function nextLink(link: string | null): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;(.*)/.exec(part.trim());
    if (match && /\brel="?next"?/.test(match[2] ?? '')) return match[1];
  }
  return undefined;
}

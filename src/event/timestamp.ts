// Parses the several timestamp formats GitLab webhook payloads use.

/**
 * Accepts `2013-12-03T17:15:43Z`, `2019-06-05T14:32:20.211Z`, `2015-05-17 18:08:09 UTC` and
 * `2021-04-28 21:50:00 +0200` (all appear in GitLab's webhook_events.md). Returns undefined for
 * anything else, so one odd field never makes a whole event unreadable.
 */
export function parseGitLabTime(value: string): Date | undefined {
  const text = value
    .trim()
    .replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)/, '$1T$2')
    .replace(/\s*UTC$/, 'Z')
    .replace(/\s*([+-])(\d{2}):?(\d{2})$/, '$1$2:$3');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

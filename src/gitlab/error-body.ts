// Turns GitLab's JSON error bodies into one readable sentence.

/**
 * GitLab answers errors as `{"message": "..."}`, `{"message": {"field": ["is invalid"]}}` or
 * `{"error": "..."}` (see doc/api/rest/troubleshooting.md). Anything else is shown as text, cut short.
 */
export function describeErrorBody(status: number, statusText: string, text: string): string {
  const fallback = `${status} ${statusText}`.trim();
  if (text.trim() === '') return fallback;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `${fallback}: ${text.slice(0, 200)}`;
  }
  if (body && typeof body === 'object') {
    const { message, error } = body as { message?: unknown; error?: unknown };
    const detail = message ?? error;
    if (typeof detail === 'string') return detail;
    if (detail && typeof detail === 'object') {
      const parts = Object.entries(detail).map(([field, errors]) =>
        `${field} ${Array.isArray(errors) ? errors.join(', ') : String(errors)}`,
      );
      if (parts.length > 0) return `${fallback}: ${parts.join('; ')}`;
    }
  }
  return `${fallback}: ${text.slice(0, 200)}`;
}

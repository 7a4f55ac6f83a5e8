// Turns GitLab's JSON error bodies into one readable sentence, short and without secrets.
import { boundText, MAX_TEXT_BYTES } from '../bounded-text.js';

/**
 * GitLab's own words are kept up to half of what an error message may hold (1 KB), leaving room for the
 * request they answer and the reason around them, so that the message is not cut a second time.
 */
const DETAIL_BYTES = MAX_TEXT_BYTES / 2;
/** A body that is not GitLab's JSON (a proxy's HTML error page) says little: its start is enough. */
const OTHER_BODY_BYTES = 256;

/**
 * GitLab answers errors as `{"message": "..."}`, `{"message": {"field": ["is invalid"]}}` or
 * `{"error": "..."}` (see doc/api/rest/troubleshooting.md). Anything else is shown as text, cut short.
 * The body may be of any size and may repeat what it was sent: `redact` replaces the secrets in it
 * before it is cut to at most 1 KB (256 bytes when it is not GitLab's JSON), with a marker saying so.
 */
export function describeErrorBody(status: number, statusText: string, text: string, redact: (text: string) => string = (body) => body): string {
  const fallback = `${status} ${statusText}`.trim();
  if (text.trim() === '') return fallback;
  const other = () => boundText(redact(`${fallback}: ${text}`), OTHER_BODY_BYTES);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return other();
  }
  if (body && typeof body === 'object') {
    const { message, error } = body as { message?: unknown; error?: unknown };
    const detail = message ?? error;
    if (typeof detail === 'string') return boundText(redact(detail), DETAIL_BYTES);
    if (detail && typeof detail === 'object') {
      const parts = Object.entries(detail).map(([field, errors]) =>
        `${field} ${Array.isArray(errors) ? errors.join(', ') : String(errors)}`,
      );
      if (parts.length > 0) return boundText(redact(`${fallback}: ${parts.join('; ')}`), DETAIL_BYTES);
    }
  }
  return other();
}

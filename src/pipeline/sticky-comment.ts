// One comment per key per merge request or issue: posted once, then edited in place, found again by its marker.
import { z } from 'zod';
import type { GitLabClient } from '../gitlab/index.js';
import type { ApiCall } from './api-call.js';

/** The invisible line that names a keyed comment, so that later events find it among the notes. */
export function stickyMarker(key: string): string {
  return `<!-- rulebot:comment:${key} -->`;
}

const NotesSchema = z.array(
  z.object({ id: z.number(), body: z.string(), system: z.boolean().nullish(), author: z.object({ username: z.string() }).nullish() }),
);

/**
 * Posts the keyed comment, or edits the one already there when its text differs, or leaves it alone.
 * Notes are read newest first, a page of 100 at a time, until the marker is found: the answer to a
 * lost POST is found the same way on a retry, so no second comment is made. Only the bot's own notes
 * count when its username is known (someone quoting the marker is not edited).
 * https://docs.gitlab.com/api/notes/#modify-existing-merge-request-note
 */
export async function upsertStickyComment(
  call: ApiCall & { sticky: string },
  gitlab: GitLabClient,
  botUsername: string | undefined,
): Promise<'created' | 'updated' | 'unchanged'> {
  const body = String(call.body['body']);
  const notes = gitlab.paginate(call.path, { query: { sort: 'desc', order_by: 'created_at' }, perPage: 100, schema: NotesSchema });
  for await (const note of notes) {
    if (note.system || !note.body.includes(call.sticky)) continue;
    if (botUsername && note.author && note.author.username.toLowerCase() !== botUsername.toLowerCase()) continue;
    if (note.body.trim() === body.trim()) return 'unchanged';
    await gitlab.request('PUT', `${call.path}/${note.id}`, { body: { body } });
    return 'updated';
  }
  await gitlab.request('POST', call.path, { body: call.body });
  return 'created';
}

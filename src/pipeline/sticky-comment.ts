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

/** What a keyed comment needs: a new note, an edit of the one there (by id), or nothing. */
export type StickyDecision = { action: 'create' } | { action: 'update' | 'unchanged'; noteId: number };

/**
 * Finds the keyed comment and decides what it needs. Notes are read newest first, a page of 100 at
 * a time, until the marker is found: the answer to a lost POST is found the same way on a retry, so
 * no second comment is made. Only the bot's own notes count when its username is known (someone
 * quoting the marker is not edited).
 */
export async function decideStickyComment(call: ApiCall & { sticky: string }, gitlab: GitLabClient, botUsername: string | undefined): Promise<StickyDecision> {
  const body = String(call.body['body']);
  const notes = gitlab.paginate(call.path, { query: { sort: 'desc', order_by: 'created_at' }, perPage: 100, schema: NotesSchema });
  for await (const note of notes) {
    if (note.system || !note.body.includes(call.sticky)) continue;
    if (botUsername && note.author && note.author.username.toLowerCase() !== botUsername.toLowerCase()) continue;
    return { action: note.body.trim() === body.trim() ? 'unchanged' : 'update', noteId: note.id };
  }
  return { action: 'create' };
}

/**
 * Posts the keyed comment, or edits the one already there when its text differs, or leaves it alone.
 * https://docs.gitlab.com/api/notes/#modify-existing-merge-request-note
 */
export async function upsertStickyComment(
  call: ApiCall & { sticky: string },
  gitlab: GitLabClient,
  botUsername: string | undefined,
): Promise<'created' | 'updated' | 'unchanged'> {
  const decision = await decideStickyComment(call, gitlab, botUsername);
  if (decision.action === 'unchanged') return 'unchanged';
  if (decision.action === 'update') {
    await gitlab.request('PUT', `${call.path}/${decision.noteId}`, { body: { body: call.body['body'] } });
    return 'updated';
  }
  await gitlab.request('POST', call.path, { body: call.body });
  return 'created';
}

// Makes comments and pipelines happen once per event, even when the event is retried or resumed after a crash.
import type { ApiCall } from './api-call.js';
import type { GitLabClient } from '../gitlab/index.js';
import type { Store } from '../store/index.js';
import { z } from 'zod';

export interface EffectGuard {
  store: Store;
  jobId: string;
  /** True when an earlier attempt of this job may have made effects before failing or crashing. */
  retrying: boolean;
}

/** Calls whose repetition would be seen: a second comment, a second pipeline. Edits and labels are idempotent. */
export function isEffect(call: ApiCall): boolean {
  return call.method === 'POST' && call.reaction === undefined;
}

/** A short, stable name for a call within its job. */
export function effectKey(call: ApiCall): string {
  let hash = 0x811c9dc5;
  const text = `${call.method} ${call.path} ${JSON.stringify(call.body)}`;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/** The invisible marker appended to a comment, so a retry can find the comment an earlier attempt posted. */
export function marker(jobId: string, key: string): string {
  return `<!-- rulebot:${jobId.replace(/[^\w.:-]/g, '')}:${key} -->`;
}

const NotesSchema = z.array(z.object({ body: z.string() }));

/**
 * Whether an earlier attempt already made this effect: recorded in the store, or (for a comment
 * posted just before a crash, so never recorded) found among the newest comments by its marker.
 */
export async function alreadyMade(call: ApiCall, key: string, guard: EffectGuard, gitlab: GitLabClient): Promise<boolean> {
  if (await guard.store.hasEffect(guard.jobId, key)) return true;
  if (!guard.retrying || !/\/notes$/.test(call.path)) return false;
  const notesPath = call.path.replace(/\/discussions\/[^/]+\/notes$/, '/notes');
  const recent = await gitlab.request('GET', notesPath, { query: { sort: 'desc', order_by: 'created_at', per_page: 100 }, schema: NotesSchema });
  return recent.some((note) => note.body.includes(marker(guard.jobId, key)));
}

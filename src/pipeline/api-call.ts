// A planned GitLab write: data first, so dry-run, `simulate` and the real executor share one plan.
import type { HttpMethod } from '../gitlab/index.js';

/**
 * What a call does, which decides how it is made once: edits can be repeated harmlessly, a note is
 * found again by its marker, a repeated merge or rebase is refused by GitLab, a pipeline must never
 * be created twice, and a refused reaction does not matter. A `sticky` comment is posted or edited
 * in place, found by its `sticky` marker. `auto_merge` becomes a `merge` once the project's merge
 * train setting is read. A `backport` is several calls, each skipped when an earlier attempt made it.
 */
export type CallKind = 'edit' | 'note' | 'sticky' | 'merge' | 'auto_merge' | 'backport' | 'rebase' | 'pipeline' | 'reaction';

export interface ApiCall {
  kind: CallKind;
  method: HttpMethod;
  /** Path below `/api/v4`, e.g. `/projects/1/merge_requests/2`. */
  path: string;
  body: Record<string, unknown>;
  /** Names of the rules this call carries out. */
  rules: string[];
  /** For `sticky` comments: the marker that finds the comment again. */
  sticky?: string;
}

// What every endpoint handler receives, and the signature it implements.

import type { Params } from '../params.js';
import type { Reply } from '../replies.js';
import type { RepresentationContext } from '../representations.js';
import type { FakeGitLabStore } from '../store.js';
import type { FakeAccessToken } from '../types.js';

export interface RouteContext {
  store: FakeGitLabStore;
  /** Path parameters by name, decoded: `:id` may read `group/project`. */
  path: Record<string, string>;
  /** Query string merged with the JSON or form body. */
  params: Params;
  /** The request's absolute URL as received, for pagination links. */
  url: URL;
  baseUrl: string;
  perPageMax: number;
  /** The token the request was authenticated with. */
  token: FakeAccessToken;
}

/** Answers one endpoint (some, like hook tests, after a request of their own); throws `ApiError` for error answers. */
export type RouteHandler = (context: RouteContext) => Reply | Promise<Reply>;

export function representationContext({ store, baseUrl }: RouteContext): RepresentationContext {
  return {
    baseUrl,
    user: (id) => store.user(id),
    userNotesCount: (type, projectId, iid) => store.notes(projectId, type, iid).filter((note) => !note.system).length,
  };
}

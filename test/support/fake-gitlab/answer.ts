// From a received request to GitLab's reply: the `/api/v4` prefix, then authentication, then the endpoint.

import { isAuthenticated } from './authenticate.js';
import type { IncomingApiRequest } from './read-request.js';
import { ApiError, badRequest, notFound, unauthorized, type Reply } from './replies.js';
import { matchRoute } from './routes/route-table.js';
import type { FakeGitLabStore } from './store.js';

export interface AnswerContext {
  store: FakeGitLabStore;
  token: string;
  baseUrl: string;
  perPageMax: number;
}

/** Error answers are replies too; anything else thrown is a bug in the fake and propagates. */
export function answerRequest(request: IncomingApiRequest, context: AnswerContext): Reply {
  try {
    if (request.apiSegments === undefined) throw notFound();
    if (!isAuthenticated(request.recorded.headers, context.token)) throw unauthorized();
    if (request.bodyError !== undefined) throw badRequest(request.bodyError);
    const match = matchRoute(request.recorded.method, request.apiSegments);
    if (!match) throw notFound();
    return match.handle({
      store: context.store,
      path: match.path,
      params: request.params,
      url: request.url,
      baseUrl: context.baseUrl,
      perPageMax: context.perPageMax,
    });
  } catch (error) {
    if (error instanceof ApiError) return error.reply;
    throw error;
  }
}

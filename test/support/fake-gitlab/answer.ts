// From a received request to GitLab's reply: the `/api/v4` prefix (or the OAuth token endpoint), then authentication, then the endpoint.

import { presentedToken } from './authenticate.js';
import type { IncomingApiRequest } from './read-request.js';
import { ApiError, badRequest, notFound, unauthorized, type Reply } from './replies.js';
import { oauthToken } from './routes/oauth.js';
import { matchRoute } from './routes/route-table.js';
import type { FakeGitLabStore } from './store.js';

export interface AnswerContext {
  store: FakeGitLabStore;
  baseUrl: string;
  perPageMax: number;
}

/** Error answers are replies too; anything else thrown is a bug in the fake and propagates. */
export async function answerRequest(request: IncomingApiRequest, context: AnswerContext): Promise<Reply> {
  const { method, path, headers } = request.recorded;
  try {
    if (request.apiSegments === undefined) {
      if (method === 'POST' && path === '/oauth/token') return oauthToken(context.store, request.params);
      throw notFound();
    }
    const token = presentedToken(headers, context.store.tokens);
    if (!token || !context.store.tokens.active(token)) {
      // GitLab's reuse detection: rotating with a token already rotated revokes its successors too (issue 524639).
      if (token?.revoked && method === 'POST' && path === '/personal_access_tokens/self/rotate') context.store.tokens.revokeFamily(token.family);
      throw unauthorized();
    }
    if (request.bodyError !== undefined) throw badRequest(request.bodyError);
    const match = matchRoute(method, request.apiSegments);
    if (!match) throw notFound();
    return await match.handle({
      store: context.store,
      path: match.path,
      params: request.params,
      url: request.url,
      baseUrl: context.baseUrl,
      perPageMax: context.perPageMax,
      token,
    });
  } catch (error) {
    if (error instanceof ApiError) return error.reply;
    throw error;
  }
}

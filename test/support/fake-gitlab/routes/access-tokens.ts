// `GET /personal_access_tokens/self` and `POST /personal_access_tokens/self/rotate`.
// doc/api/personal_access_tokens.md; app/services/personal_access_tokens/rotate_service.rb

import { readString } from '../params.js';
import { ApiError, notFound, type Reply } from '../replies.js';
import type { FakeAccessToken } from '../types.js';
import type { RouteHandler } from './route-context.js';

export function representToken(token: FakeAccessToken) {
  return {
    id: token.id,
    name: token.name,
    revoked: token.revoked,
    created_at: token.created_at,
    description: '',
    scopes: token.scopes,
    user_id: token.user_id,
    last_used_at: null,
    active: !token.revoked,
    expires_at: token.expires_at,
  };
}

/** Personal, project and group access tokens only: an OAuth or job token is not one. */
export const getTokenSelf: RouteHandler = ({ token }): Reply => {
  if (token.kind !== 'personal') throw notFound();
  return { status: 200, body: representToken(token) };
};

export const rotateTokenSelf: RouteHandler = ({ store, token, params }): Reply => {
  if (token.kind !== 'personal') throw new ApiError({ status: 405, body: { message: '405 Method Not Allowed' } });
  if (!token.scopes.includes('api') && !token.scopes.includes('self_rotate')) {
    throw new ApiError({ status: 403, body: { message: '403 Forbidden' } });
  }
  const expiresAt = readString(params, 'expires_at');
  if (expiresAt !== undefined) {
    const max = store.tokens.maxExpiry();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(expiresAt)) throw new ApiError({ status: 400, body: { error: 'expires_at is invalid' } });
    if (expiresAt > max) throw new ApiError({ status: 400, body: { message: `400 Bad request - Expiration date must be before ${max}` } });
    if (expiresAt <= store.today()) throw new ApiError({ status: 400, body: { message: '400 Bad request - Expiration date must be in the future' } });
  }
  const fresh = store.tokens.rotate(token, expiresAt);
  return { status: 200, body: { ...representToken(fresh), token: fresh.token } };
};

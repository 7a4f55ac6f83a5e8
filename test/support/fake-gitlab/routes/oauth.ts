// `POST /oauth/token` with `grant_type=refresh_token` (outside `/api/v4`): refresh-token rotation.
// doc/api/oauth2.md; errors as Doorkeeper words them (RFC 6749 §5.2).

import { readString, type Params } from '../params.js';
import type { Reply } from '../replies.js';
import type { FakeGitLabStore } from '../store.js';

const INVALID_GRANT = {
  error: 'invalid_grant',
  error_description:
    'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
};

export function oauthToken(store: FakeGitLabStore, params: Params): Reply {
  const grant = readString(params, 'grant_type');
  if (grant !== 'refresh_token') {
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported by the authorization server.' } };
  }
  const application = store.tokens.application(readString(params, 'client_id'), readString(params, 'client_secret'));
  if (!application) {
    return {
      status: 401,
      body: { error: 'invalid_client', error_description: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.' },
    };
  }
  const issued = store.tokens.refresh(application, readString(params, 'refresh_token') ?? '');
  if (!issued) return { status: 400, body: INVALID_GRANT };
  return {
    status: 200,
    body: {
      access_token: issued.access.token,
      token_type: 'Bearer',
      expires_in: store.tokens.oauthLifetimeSeconds,
      refresh_token: issued.refresh,
      scope: 'api',
      created_at: Math.floor(store.nowMs() / 1000),
    },
  };
}

// Where the client takes its credentials from: a source that may change them (rotation, OAuth refresh) under it.
import type { TokenType } from '../config/config.js';

/** One credential as a request sends it. */
export interface Credentials {
  token: string;
  type: TokenType;
}

/**
 * The client asks for credentials before every attempt, so a rotated or refreshed token is used by the
 * next request without rebuilding the client.
 */
export interface TokenSource {
  /** The credentials to send now (a source may refresh them first, e.g. an OAuth token about to expire). */
  current(): Promise<Credentials>;
  /**
   * GitLab answered 401 to a request sent with `used`. Resolves the credentials to try once more with
   * (rotated or refreshed meanwhile, by this process or another), or undefined when there are none newer.
   */
  rejected(used: Credentials): Promise<Credentials | undefined>;
}

/** A token that never changes (the CLI's one-off runs, tests, a token without rotation). */
export function staticToken(token: string, type: TokenType = 'private'): TokenSource {
  const credentials = { token, type };
  return { current: async () => credentials, rejected: async () => undefined };
}

/** The header GitLab reads each kind of token from (https://docs.gitlab.com/api/rest/authentication/). */
export function authHeader({ token, type }: Credentials): Record<string, string> {
  if (type === 'oauth') return { authorization: `Bearer ${token}` };
  if (type === 'job') return { 'job-token': token };
  return { 'private-token': token };
}

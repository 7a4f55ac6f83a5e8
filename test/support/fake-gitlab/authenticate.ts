// Token check: GitLab takes a token in `PRIVATE-TOKEN`, `Authorization: Bearer` or `JOB-TOKEN`.
// https://docs.gitlab.com/api/rest/authentication/

import type { Tokens } from './tokens.js';
import type { FakeAccessToken } from './types.js';

/** The token a request carries, known to the fake (active or not); `headers` has lower-case names, as Node delivers them. */
export function presentedToken(headers: Record<string, string>, tokens: Tokens): FakeAccessToken | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1];
  for (const value of [headers['private-token'], headers['job-token'], bearer]) {
    const token = tokens.find(value);
    if (token) return token;
  }
  return undefined;
}

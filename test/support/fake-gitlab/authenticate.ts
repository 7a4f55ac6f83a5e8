// Token check: GitLab takes a token in `PRIVATE-TOKEN`, `Authorization: Bearer` or `JOB-TOKEN`.
// https://docs.gitlab.com/api/rest/authentication/

/** `headers` has lower-case names, as Node delivers them. */
export function isAuthenticated(headers: Record<string, string>, token: string): boolean {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1];
  return [headers['private-token'], headers['job-token'], bearer].includes(token);
}

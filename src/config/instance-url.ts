// GITLAB_URL, the GitLab instance's address: accepted only without credentials, and shown only without them.

/**
 * Why `url` cannot be GITLAB_URL, or undefined when it can. A user name, password,
 * query or fragment is refused at start rather than masked and carried on: `fetch` itself refuses a URL
 * with credentials (on Node and on Workers, naming the whole URL in its error), GitLab's REST API takes
 * its token from GITLAB_TOKEN and not from the URL, and a query or fragment would end up inside every
 * API path. Refusing says so once, plainly, instead of failing at every request with the password in
 * the error; the message never repeats what it refuses.
 */
export function gitlabUrlProblem(url: string): string | undefined {
  // Not an http(s) URL at all: that is said once, by the URL check.
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (!/^https?:$/.test(parsed.protocol)) return undefined;
  if (parsed.username !== '' || parsed.password !== '') {
    return 'expected the address of the GitLab instance without a user name or password, such as https://gitlab.example.com: put the token in GITLAB_TOKEN';
  }
  if (/[?#]/.test(url)) return 'expected the address of the GitLab instance without a query or fragment, such as https://gitlab.example.com';
  if (/\/api\/v4\/?$/.test(parsed.pathname)) {
    return "expected the instance's address as the browser shows it (https://gitlab.example.com); rulebot adds /api/v4 itself";
  }
  return undefined;
}

/**
 * `value` (any text given as GITLAB_URL, valid or not) as it may be printed: whatever stands before an `@`
 * in the address becomes `***`, and a query or fragment becomes `?…`, since either may hold a secret.
 *
 * @example
 * displayUrl('https://bot:glpat-x@gitlab.example.com/?private_token=y'); // 'https://***@gitlab.example.com/?…'
 */
export function displayUrl(value: string): string {
  return value
    .replace(/^(\s*[A-Za-z][A-Za-z0-9+.-]*:[\\/]+)?[^?#]*@/, (_match, scheme: string | undefined) => `${scheme ?? ''}***@`)
    .replace(/[?#][\s\S]*$/, '?…');
}

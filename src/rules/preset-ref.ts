// Where a rule file lives in GitLab, and the `extends` references that name one: `group/project:path/to/file.yml@ref`.

/** A file in a GitLab repository. `ref` undefined: the project's default branch. */
export interface FileLocation {
  /** `path_with_namespace` as written, e.g. `acme/bot-config`. */
  project: string;
  /** Path inside the repository, without a leading slash. */
  path: string;
  ref: string | undefined;
}

/**
 * Reads an `extends` entry. The project is everything before the first `:` (GitLab paths have none);
 * the ref is what follows the last `@`, so a file whose name holds an `@` is written with its ref.
 */
export function parsePresetRef(text: string): FileLocation | { error: string } {
  const expected = 'expected "group/project:path/to/file.yml", optionally followed by @branch, @tag or @commit';
  const colon = text.indexOf(':');
  if (colon <= 0) return { error: `${expected}, got "${text}"` };
  const project = text.slice(0, colon);
  let rest = text.slice(colon + 1);
  let ref: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    ref = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (ref === '') return { error: `${expected}: nothing follows the "@" in "${text}"` };
  }
  if (!/^[\w.-]+(\/[\w.-]+)+$/.test(project)) {
    return { error: `${expected}: "${project}" is not a project path such as group/project` };
  }
  const problem = pathProblem(rest);
  if (problem) return { error: `${expected}: ${problem}` };
  return { project, path: rest, ref };
}

/** What is wrong with a path inside a repository, if anything: GitLab refuses `..` and absolute paths. */
export function pathProblem(path: string): string | undefined {
  if (path === '') return 'the path of the file is empty';
  if (path.startsWith('/')) return `"${path}" starts with "/": paths are relative to the repository's root`;
  if (path.split('/').some((part) => part === '..' || part === '.' || part === '')) return `"${path}" has an empty, "." or ".." part`;
  if (/[\u0000-\u001f\u007f]/.test(path)) return `"${path}" holds a control character`;
  return undefined;
}

/** `group/project:path` or `group/project:path@ref`: how a file is named in messages and in `extends` (a local file: its path). */
export function formatLocation(location: FileLocation): string {
  return `${location.project === '' ? '' : `${location.project}:`}${location.path}${location.ref === undefined ? '' : `@${location.ref}`}`;
}

/** The same file whatever the case of its project path (GitLab's paths are case-insensitive). */
export function locationKey(location: FileLocation): string {
  return formatLocation({ ...location, project: location.project.toLowerCase() });
}

export function sameProject(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

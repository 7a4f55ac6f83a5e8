// A push that changes files of kept configurations: marks them stale, and reads a project's own file again at once.
import { GitLabApiError } from '../errors.js';
import { commitStatusRequest } from '../gitlab/index.js';
import { executeCalls } from '../pipeline/index.js';
import type { RuleEvent } from '../event/event.js';
import { STATUS_NAME, statusDescription } from './config-comment.js';
import type { ObserveDeps } from './observe-deps.js';

/**
 * A push to a branch marks stale the files it changed in every kept configuration that reads them
 * (GitLab lists at most 20 commits: a longer push counts as changing every file). When it changes the
 * project's own file on its default branch, the file is read again now, and the commit that last
 * changed it gets a `rulebot/config` status: `success`, or `failed` with the first problem (the last
 * valid rules stay in force meanwhile).
 */
export async function observePush(event: RuleEvent, deps: ObserveDeps): Promise<void> {
  const push = event.push;
  // Tag pushes change no branch; a deleted branch has no files.
  if (!push || !event.names.includes('push') || !push.ref.startsWith('refs/heads/') || /^0+$/.test(push.after)) return;
  const branch = push.ref.slice('refs/heads/'.length);
  const defaultBranch = event.project.default_branch === branch;
  const paths = (push.total_commits_count ?? 0) > push.commits_listed ? 'all' : push.changed_paths;
  if (paths !== 'all' && paths.length === 0) return;
  const { configs, log } = deps;
  const invalidated = await configs.store.invalidateRuleConfigs({ project: event.project.path_with_namespace, ref: branch, defaultBranch, paths });
  if (invalidated.length > 0) log.info('a push changed files of kept rules; they are read again before they are used', { configurations: invalidated });

  const file = configs.file;
  if (!file || configs.offline || !defaultBranch) return;
  if (!invalidated.includes(event.project.id) && paths !== 'all' && !paths.includes(file)) return;
  const { config, previous, rules } = await configs.refresh(event.project.id, configs.projectOwner(event.project), deps.gitlab);
  const root = config.files[0];
  const before = previous?.files[0];
  const problemsChanged = JSON.stringify(config.problems) !== JSON.stringify(previous?.problems ?? []);
  // Nothing to say of a file that is not there, or that this push did not change (a long push, or a
  // preset of the project) and that did not change its verdict. (An event run between the push and
  // this job may have read the new file already: a push that lists the file always gets its status.)
  const touched = paths !== 'all' && paths.includes(file);
  const absent = root?.text === null && config.problems.length === 0;
  if (!root || absent || (!touched && root.blob_id === before?.blob_id && !problemsChanged)) return;
  const sha = root.commit_id ?? push.after;
  const { path, body } = commitStatusRequest(event.project.id, sha, {
    state: config.problems.length === 0 ? 'success' : 'failed',
    name: STATUS_NAME,
    description: statusDescription({ file, project: event.project.path_with_namespace, problems: config.problems, rules: rules.length, present: true }),
    ref: branch,
  });
  try {
    await executeCalls([{ kind: 'edit', method: 'POST', path, body, rules: [] }], { ...deps, effects: deps.effects && { ...deps.effects, scope: 'config' } });
  } catch (error) {
    if (!(error instanceof GitLabApiError) || error.retryable) throw error;
    // Setting a status needs the Developer role: without it the verdict is in the log and GET /status.
    log.warn('could not set the rulebot/config status', { commit: sha, error: error.message });
  }
}

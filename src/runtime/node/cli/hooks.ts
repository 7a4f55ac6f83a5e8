// `rulebot hooks`: the project's or group's webhooks that point at rulebot, with the state GitLab gives them.
import { parseConfig, secretValues } from '../../../config/config.js';
import { ConfigError } from '../../../errors.js';
import { GitLabClient, listHooks, testHook, type Hook, type HookOwner } from '../../../gitlab/index.js';
import { createLogger } from '../../../log.js';
import { reenableProblem } from '../../../upkeep/index.js';
import { cliCredentials } from './credentials.js';

export interface HooksOptions {
  project?: string | undefined;
  group?: string | undefined;
  /** List every hook, not only those pointing at rulebot. */
  all: boolean;
  /** Re-enable this hook (GitLab's test delivery, which must reach rulebot). */
  enable?: string | undefined;
  env: Record<string, string | undefined>;
}

/** rulebot's webhook route: hooks whose URL ends with it point at a rulebot. */
const ROUTE = '/webhooks/gitlab';

const EVENT_FLAGS: [keyof Hook, string][] = [
  ['merge_requests_events', 'merge requests'],
  ['issues_events', 'issues'],
  ['note_events', 'comments'],
  ['push_events', 'pushes'],
  ['pipeline_events', 'pipelines'],
  ['resource_access_token_events', 'access tokens'],
];

export async function runHooks(options: HooksOptions, out: (line: string) => void): Promise<number> {
  const config = parseConfig(options.env, { requireSecret: false, readOnly: options.enable === undefined });
  const owner = hookOwner(options, config.hookWatch);
  const ownerText = owner.project !== undefined ? `project ${owner.project}` : `group ${owner.group}`;
  const log = createLogger({ level: 'error', write: (line) => process.stderr.write(`${line}\n`), secrets: secretValues(config) });
  const credentials = cliCredentials(config, log, 'hooks');
  if (!credentials.upkeep?.credentials) throw new ConfigError('GITLAB_TOKEN is required: rulebot asks GitLab for the hooks');
  const gitlab = new GitLabClient({ baseUrl: config.gitlabUrl, credentials: credentials.upkeep.credentials, timeoutMs: config.gitlabTimeoutMs });
  try {
    if (options.enable !== undefined) {
      const id = Number(options.enable);
      if (!Number.isSafeInteger(id) || id <= 0) throw new ConfigError(`--enable: expected a hook id (a positive whole number), got ${JSON.stringify(options.enable)}`);
      try {
        await testHook(gitlab, owner, id);
      } catch (error) {
        out(reenableProblem(error, ownerText, id));
        return 1;
      }
      out(`webhook ${id} of ${ownerText} re-enabled: GitLab's test delivery got a 2xx answer`);
      return 0;
    }
    const watched = config.hookWatch?.hookId;
    let others = 0;
    let shown = 0;
    for await (const hook of listHooks(gitlab, owner)) {
      if (!options.all && !pointsAtRulebot(hook.url)) {
        others++;
        continue;
      }
      shown++;
      out(describeHook(hook, hook.id === watched));
    }
    const rest = options.all ? '' : others > 0 ? ` (${others} other${others === 1 ? '' : 's'}; --all lists them)` : '';
    out(`${shown} webhook${shown === 1 ? '' : 's'} ${options.all ? 'in' : 'pointing at rulebot in'} ${ownerText}${rest}`);
    return 0;
  } finally {
    await credentials.close();
  }
}

function hookOwner(options: HooksOptions, watch: { project: string | undefined; group: string | undefined } | undefined): HookOwner {
  if (options.project !== undefined && options.group !== undefined) throw new ConfigError('give --project or --group, not both');
  if (options.project !== undefined) return { project: options.project };
  if (options.group !== undefined) return { group: options.group };
  if (watch?.project !== undefined) return { project: watch.project };
  if (watch?.group !== undefined) return { group: watch.group };
  throw new ConfigError('which hooks? give --project ID_OR_PATH or --group ID_OR_PATH (or set GITLAB_HOOK_PROJECT or GITLAB_HOOK_GROUP)');
}

function pointsAtRulebot(url: string): boolean {
  try {
    return new URL(url).pathname.replace(/\/+$/, '').endsWith(ROUTE);
  } catch {
    return url.includes(ROUTE);
  }
}

/** `12  executable  https://rulebot.example/webhooks/gitlab  merge requests, comments  (watched)` */
function describeHook(hook: Hook, watched: boolean): string {
  const status = hook.alert_status ?? 'executable';
  const state = status === 'executable' ? status : `${status}${hook.disabled_until ? ` until ${hook.disabled_until}` : ''} (re-enable: rulebot hooks --enable ${hook.id})`;
  const events = EVENT_FLAGS.filter(([flag]) => hook[flag] === true).map(([, name]) => name);
  return [String(hook.id), state, hook.url, events.length > 0 ? events.join(', ') : 'no events rulebot reads', ...(watched ? ['(watched: GITLAB_HOOK_ID)'] : [])].join('  ');
}

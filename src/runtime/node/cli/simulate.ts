// `rulebot simulate --event FILE`: shows which rules an event matches and the API calls they would make, changing nothing.
import { readFile } from 'node:fs/promises';
import { DiffCache } from '../../../pipeline/facts.js';
import { processEvent } from '../../../pipeline/process-event.js';
import { parseConfig } from '../../../config/config.js';
import { DiffSchema, GitLabClient, MemberDirectory, UserDirectory } from '../../../gitlab/index.js';
import { silentLogger } from '../../../log.js';
import { loadRulesDir } from '../load-rules-dir.js';
import { normalizeEvent } from '../../../event/from-webhook.js';

export interface SimulateOptions {
  event: string;
  header?: string | undefined;
  rules: string;
  diffs?: string | undefined;
  env: Record<string, string | undefined>;
}

/** GitLab's `X-Gitlab-Event` header value for each `object_kind` rulebot reads. */
const HEADER_KINDS: Record<string, string> = {
  'Merge Request Hook': 'merge_request',
  'Issue Hook': 'issue',
  'Confidential Issue Hook': 'issue',
  'Note Hook': 'note',
  'Confidential Note Hook': 'note',
  'Push Hook': 'push',
  'Tag Push Hook': 'tag_push',
  'Pipeline Hook': 'pipeline',
};

/** Prints one JSON object per line: the event, each matched rule, each call, then warnings. */
export async function runSimulate(options: SimulateOptions, out: (line: string) => void): Promise<number> {
  const print = (value: object) => out(JSON.stringify(value));
  const config = parseConfig({ ...options.env, RULES_DIR: options.rules, DRY_RUN: '1' }, { requireSecret: false });
  const rules = await loadRulesDir(options.rules);
  const payload = JSON.parse(await readFile(options.event, 'utf8')) as Record<string, unknown>;

  const expectedKind = options.header ? HEADER_KINDS[options.header] : undefined;
  if (options.header && expectedKind === undefined) {
    print({ type: 'warning', message: `unknown --header "${options.header}" (known: ${Object.keys(HEADER_KINDS).join(', ')})` });
  } else if (expectedKind && payload['object_kind'] !== expectedKind) {
    print({ type: 'warning', message: `--header "${options.header}" expects object_kind "${expectedKind}", the event has "${String(payload['object_kind'])}"` });
  }

  const result = normalizeEvent(payload);
  if ('ignored' in result) {
    print({ type: 'ignored', reason: result.ignored });
    return 0;
  }
  const event = result.event;
  print({ type: 'event', names: event.names, project: event.project.path_with_namespace, iid: event.subject?.iid });

  const diffs = options.diffs ? DiffSchema.array().parse(JSON.parse(await readFile(options.diffs, 'utf8'))) : undefined;
  const outcome = await processEvent(event, {
    rules,
    gitlab: new GitLabClient({ baseUrl: config.gitlabUrl, token: config.gitlabToken, tokenType: config.tokenType }),
    users: new UserDirectory(),
    members: new MemberDirectory(),
    diffCache: new DiffCache(),
    log: silentLogger,
    dryRun: true,
    diffs,
    offline: config.gitlabToken ? undefined : 'GITLAB_TOKEN is not set',
  });
  for (const rule of outcome.matched) print({ type: 'match', rule });
  for (const call of outcome.calls) print({ type: 'call', method: call.method, path: call.path, body: call.body, rules: call.rules });
  for (const message of outcome.warnings) print({ type: 'warning', message });
  for (const { rule, reason } of outcome.undecided) print({ type: 'undecided', rule, reason });
  return 0;
}

// `rulebot simulate --event FILE`: shows which rules an event matches, what its commands would do, and the API calls, changing nothing.
import { readFile } from 'node:fs/promises';
import { parseConfig, type Config } from '../../../config/config.js';
import { createEngine, type Engine } from '../../../engine.js';
import type { RuleEvent } from '../../../event/event.js';
import { DiffSchema } from '../../../gitlab/index.js';
import { silentLogger } from '../../../log.js';
import { MemoryRuleConfigStore, MemoryStore } from '../../../store/index.js';
import { loadCentralRulesDir } from '../load-rules-dir.js';
import { normalizeEvent } from '../../../event/from-webhook.js';
import { cliCredentials } from './credentials.js';
import { readConfig } from '../../../project-rules/index.js';
import { formatLocation } from '../../../rules/index.js';

export interface SimulateOptions {
  event: string;
  header?: string | undefined;
  rules: string;
  diffs?: string | undefined;
  /** The bot's username when no token tells it: notes addressed to it are read as commands. */
  botUsername?: string | undefined;
  /** A local file standing in for the event's project's own rule file (`.gitlab/rulebot.yml`). */
  projectConfig?: string | undefined;
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
  'Emoji Hook': 'emoji',
  'Work Item Hook': 'work_item',
};

/** Prints one JSON object per line: the event, each matched rule and call, warnings, then each command with its verdict and calls. */
export async function runSimulate(options: SimulateOptions, out: (line: string) => void): Promise<number> {
  const print = (value: object) => out(JSON.stringify(value));
  const config = parseConfig({ ...options.env, RULES_DIR: options.rules, DRY_RUN: '1' }, { requireSecret: false, readOnly: true });
  const central = await loadCentralRulesDir(options.rules);
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
  if ('unreadable' in result) {
    print({ type: 'unreadable', reason: result.unreadable });
    return 1;
  }
  const event = result.event;
  print({ type: 'event', names: event.names, project: event.project.path_with_namespace, iid: event.subject?.iid });

  const diffs = options.diffs ? DiffSchema.array().parse(JSON.parse(await readFile(options.diffs, 'utf8'))) : undefined;
  // The same engine as the servers, on a store of its own that is thrown away: nothing is written to GitLab.
  // Every read the event costs is shown, so a rule's price in API calls can be seen before it runs.
  const reads: string[] = [];
  const readingFetch: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    const path = new URL(request.url).pathname.replace(/^.*?\/api\/v4/, '');
    if (path !== '/user') reads.push(`${request.method} ${path}`);
    return fetch(request);
  };
  const credentials = cliCredentials(config, silentLogger, 'simulate');
  const ruleConfigs = new MemoryRuleConfigStore();
  const offline = config.gitlabCredential ? undefined : 'GITLAB_TOKEN is not set';
  const engine = createEngine({
    config,
    rules: central.ruleSet,
    central,
    store: new MemoryStore(),
    ruleConfigs,
    log: silentLogger,
    fetch: readingFetch,
    upkeep: credentials.upkeep,
    ...(offline && { offline }),
  });
  let ran;
  try {
    if (config.gitlabCredential) await engine.init();
    // Without a token (or with a CI job token, which cannot say whose it is), commands are read as addressed to --bot USERNAME.
    if (!engine.user() && options.botUsername) engine.setUser({ id: 0, username: options.botUsername.replace(/^@/, '') });
    else if (options.botUsername) {
      print({ type: 'warning', message: `--bot ${options.botUsername} is ignored: with GITLAB_TOKEN set, commands are addressed to the token's user, ${engine.user()?.username ?? 'unknown'}` });
    }
    if (options.projectConfig && !(await keepProjectConfig(options.projectConfig, event, { config, engine, ruleConfigs, offline }, print))) return 1;
    // What the event costs: the reads made before it (the bot's user, a project's rules) are not its own.
    reads.length = 0;
    ran = await engine.runEvent({ id: 'simulate', event, eventUuid: undefined, retrying: false, ...(diffs && { diffs }) });
  } finally {
    await credentials.close();
  }
  const { outcome, commands, replies } = ran;
  for (const read of reads) print({ type: 'read', call: read });
  for (const rule of outcome.matched) print({ type: 'match', rule });
  for (const call of outcome.calls) {
    // A keyed comment or a backport: the requests GitLab's answers lead to, not the planned placeholder.
    const preview = outcome.previews?.get(call);
    if (!preview) {
      print({ type: 'call', method: call.method, path: call.path, body: call.body, rules: call.rules });
      continue;
    }
    for (const shown of preview.calls) print({ type: 'call', method: shown.method, path: shown.path, body: shown.body, rules: call.rules, ...(shown.if && { if: shown.if }) });
    if (preview.note) print({ type: 'unchanged', message: preview.note, rules: call.rules });
    if (preview.undecided) print({ type: 'undecided', rules: call.rules, reason: preview.undecided });
  }
  for (const message of outcome.warnings) print({ type: 'warning', message });
  // Changed files are the one fact that can be given without GitLab: say how.
  const hint = (reason: string) => (!config.gitlabToken && reason.startsWith('changed files were not read') ? `${reason} (changed files can be given with --diffs FILE)` : reason);
  for (const { rule, reason } of outcome.undecided) print({ type: 'undecided', rule, reason: hint(reason) });
  for (const report of commands) {
    print({ type: 'command', command: report.command, line: report.line, status: report.status, reasons: report.reasons });
    // A note's reactions are made once for all its commands, with the reply: they are printed there.
    for (const call of report.calls.filter(({ kind }) => kind !== 'reaction')) print({ type: 'call', method: call.method, path: call.path, body: call.body, command: report.command });
  }
  for (const call of replies) print({ type: 'call', method: call.method, path: call.path, body: call.body, reply: true });
  if (event.kind === 'note' && commands.length === 0 && !engine.user()) {
    print({ type: 'warning', message: 'commands are addressed to the bot by its username: set GITLAB_TOKEN, or give --bot USERNAME, to read them' });
  }
  return 0;
}

/**
 * Keeps the local file as the event's project's own, with its presets read from GitLab (or left out
 * without a token), so that the engine runs it as it would the project's. False when it is invalid.
 */
async function keepProjectConfig(
  path: string,
  event: RuleEvent,
  deps: { config: Config; engine: Engine; ruleConfigs: MemoryRuleConfigStore; offline: string | undefined },
  print: (value: object) => void,
): Promise<boolean> {
  const file = deps.config.projectConfigFile ?? '.gitlab/rulebot.yml';
  const project = event.project.path_with_namespace;
  const now = Date.now();
  const name = formatLocation({ project, path: file, ref: undefined });
  const root = { name, project: project.toLowerCase(), path: file, ref: '', text: await readFile(path, 'utf8'), read_at: now, blob_id: undefined, commit_id: undefined, stale: false };
  const owner = { project: { id: event.project.id, path: project }, file };
  const reading = await readConfig(owner, [root], { gitlab: deps.offline ? undefined : deps.engine.gitlab, offline: deps.offline, now, ttlMs: deps.config.projectConfigTtlMs });
  for (const skipped of reading.loaded.skipped) print({ type: 'warning', message: `${skipped}: not read (GITLAB_TOKEN is not set): its rules are left out` });
  for (const problem of reading.loaded.problems) print({ type: 'problem', file: path, message: problem.text });
  if (reading.loaded.problems.length > 0) return false;
  const config = { id: event.project.id, project, checked_at: now, files: reading.files, problems: [], last_valid: undefined, has_schedules: false, digest: undefined };
  await deps.ruleConfigs.saveRuleConfig(config, undefined);
  return true;
}

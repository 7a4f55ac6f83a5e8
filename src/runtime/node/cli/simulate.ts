// `rulebot simulate --event FILE`: shows which rules an event matches, what its commands would do, and the API calls, changing nothing.
import { readFile } from 'node:fs/promises';
import { parseConfig } from '../../../config/config.js';
import { createEngine } from '../../../engine.js';
import { DiffSchema } from '../../../gitlab/index.js';
import { silentLogger } from '../../../log.js';
import { MemoryStore } from '../../../store/index.js';
import { loadRulesDir } from '../load-rules-dir.js';
import { normalizeEvent } from '../../../event/from-webhook.js';

export interface SimulateOptions {
  event: string;
  header?: string | undefined;
  rules: string;
  diffs?: string | undefined;
  /** The bot's username when no token tells it: notes addressed to it are read as commands. */
  botUsername?: string | undefined;
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
};

/** Prints one JSON object per line: the event, each matched rule and call, warnings, then each command with its verdict and calls. */
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
  const engine = createEngine({
    config,
    rules,
    store: new MemoryStore(),
    log: silentLogger,
    fetch: readingFetch,
    ...(config.gitlabToken ? {} : { offline: 'GITLAB_TOKEN is not set (changed files can be given with --diffs FILE)' }),
  });
  if (config.gitlabToken) await engine.init();
  else if (options.botUsername) engine.setUser({ id: 0, username: options.botUsername });
  const { outcome, commands, replies } = await engine.runEvent({ id: 'simulate', event, eventUuid: undefined, retrying: false, ...(diffs && { diffs }) });
  for (const read of reads) print({ type: 'read', call: read });
  for (const rule of outcome.matched) print({ type: 'match', rule });
  for (const call of outcome.calls) print({ type: 'call', method: call.method, path: call.path, body: call.body, rules: call.rules });
  for (const message of outcome.warnings) print({ type: 'warning', message });
  for (const { rule, reason } of outcome.undecided) print({ type: 'undecided', rule, reason });
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

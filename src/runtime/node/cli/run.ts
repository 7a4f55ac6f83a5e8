// The `rulebot` command line: argument parsing and dispatch to the commands.
import { parseArgs } from 'node:util';
import { RulebotError } from '../../../errors.js';
import { runCheck } from './check.js';
import { runDeadLetters } from './dead-letters.js';
import { runExplain } from './explain.js';
import { runLabelsSync } from './labels.js';
import { runHooks } from './hooks.js';
import { runScheduleCommand } from './schedule.js';
import { runSimulate } from './simulate.js';

/** What each command takes and does, as `rulebot <command> --help` prints it. */
const COMMANDS: Readonly<Record<string, string>> = {
  check: `check    [--rules DIR]                    validate rule files (default DIR: $RULES_DIR or ./rules)
  check    FILE [--project GROUP/PROJECT] [--ref REF]
           validate a project's own rule file (.gitlab/rulebot.yml) before pushing it
  check    --project GROUP/PROJECT [--ref REF]
           validate a project's file as it is in GitLab (default: its default branch)
           Presets named in extends are read from GitLab with GITLAB_TOKEN (unchecked without it).`,
  simulate: `simulate --event FILE [--header NAME] [--rules DIR] [--diffs FILE] [--bot USERNAME] [--project-config FILE]
           print, as JSON lines, the rules an event matches, the verdict of each command in a
           note, and the API calls they would make; nothing is changed. Changed files come from
           --diffs FILE (GitLab's /diffs answer) or, with GITLAB_TOKEN set, are read from GitLab.
           Commands are addressed to the token's user, or without a token to --bot USERNAME.
           --project-config FILE: the event's project has FILE as its own rules (.gitlab/rulebot.yml).`,
  schedule: `schedule "<rule name>" [--dry-run] [--json] [--rules DIR]
           run one schedule rule now (for cron jobs or a GitLab CI schedule); --dry-run lists
           what it would do to which items and changes nothing; --json prints a report.
           The example rules: --rules examples/rules.`,
  labels: `labels sync (--project PATH | --group PATH) [--dry-run] [--rules DIR]
           create the labels the rule files declare (labels:) where missing, and update their
           color and description; --dry-run lists the changes and makes none.`,
  'dead-letters': `dead-letters [--retry ID]
           list the events that failed for good (in DATA_DIR), with the reason; --retry puts one
           back in the queue.`,
  hooks: `hooks    [--project ID_OR_PATH | --group ID_OR_PATH] [--all] [--enable HOOK_ID]
           list the webhooks pointing at rulebot (URL ending in /webhooks/gitlab; --all: every one)
           with the state GitLab gives them (executable, temporarily_disabled, disabled); --enable
           re-enables one through GitLab's test delivery. Default place: GITLAB_HOOK_PROJECT or
           GITLAB_HOOK_GROUP.`,
  explain: `explain  <event id | merge request or issue URL> [--json] [--limit N] [--url URL]
           what rulebot decided for an event, or for the last N (default 5) events on a merge
           request or issue: which rules fired, which did not and why, the GitLab calls made.
           Reads DATA_DIR's database, or with --url (or RULEBOT_URL) asks a running rulebot,
           as on Workers, with RULEBOT_TOKEN (or UI_TOKEN, GITLAB_WEBHOOK_SECRET) as bearer token.`,
};

const USAGE = `usage: rulebot <command> [options]

commands:
${Object.values(COMMANDS).map((text) => `  ${text}`).join('\n')}

rulebot <command> --help prints one command's usage.`;

/** Runs one command; returns the process exit code. */
export async function runCli(argv: string[], env: Record<string, string | undefined>, out: (line: string) => void): Promise<number> {
  // `rulebot --help`, `rulebot -h`: the usage, successfully.
  if (argv[0] === '--help' || argv[0] === '-h') {
    out(USAGE);
    return 0;
  }
  const [command, ...rest] = argv;
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        rules: { type: 'string' },
        event: { type: 'string' },
        header: { type: 'string' },
        diffs: { type: 'string' },
        bot: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        retry: { type: 'string' },
        url: { type: 'string' },
        limit: { type: 'string' },
        project: { type: 'string' },
        group: { type: 'string' },
        all: { type: 'boolean' },
        enable: { type: 'string' },
        ref: { type: 'string' },
        'project-config': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    out(`rulebot: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const rules = (values['rules'] as string | undefined) ?? (env['RULES_DIR'] || 'rules');
  if (values['help'] && command !== undefined && COMMANDS[command] !== undefined) {
    out(`usage: rulebot ${COMMANDS[command]}`);
    return 0;
  }
  if (values['help'] || command === undefined || command === 'help') {
    out(USAGE);
    return command === undefined ? 2 : 0;
  }
  try {
    if (command === 'check') {
      if (positionals.length > 1 || (values['ref'] !== undefined && positionals.length === 0 && values['project'] === undefined)) {
        out(`rulebot check: expected at most one FILE, and --ref only with FILE or --project\n\n${USAGE}`);
        return 2;
      }
      const project = values['project'] as string | undefined;
      return await runCheck({ rules, file: positionals[0], project, ref: values['ref'] as string | undefined, env }, out);
    }
    if (command === 'labels') {
      const project = values['project'] as string | undefined;
      const group = values['group'] as string | undefined;
      if (positionals[0] !== 'sync' || positionals.length > 1 || (project === undefined) === (group === undefined)) {
        out(`rulebot labels: expected "labels sync" with one of --project PATH or --group PATH\n\nusage: rulebot ${COMMANDS['labels']}`);
        return 2;
      }
      const scope = project !== undefined ? { project } : { group: group! };
      return await runLabelsSync({ rules, scope, dryRun: values['dry-run'] === true, env }, out);
    }
    if (command === 'dead-letters') return await runDeadLetters({ retry: values['retry'] as string | undefined, env }, out);
    if (command === 'hooks') {
      const text = (name: string) => values[name] as string | undefined;
      return await runHooks({ project: text('project'), group: text('group'), all: values['all'] === true, enable: text('enable'), env }, out);
    }
    if (command === 'explain') {
      const [target, ...extra] = positionals;
      const limit = Number(values['limit'] ?? 5);
      if (!target || extra.length > 0 || !Number.isInteger(limit) || limit < 1 || limit > 200) {
        out(`rulebot explain: expected one event id or merge request or issue URL (and --limit from 1 to 200)\n\n${USAGE}`);
        return 2;
      }
      const url = (values['url'] as string | undefined) || env['RULEBOT_URL'] || undefined;
      return await runExplain({ target, json: values['json'] === true, url, limit, env }, out);
    }
    if (command === 'schedule') {
      const [rule, ...extra] = positionals;
      if (!rule || extra.length > 0) {
        out(`rulebot schedule: expected one rule name (quote it), got ${positionals.length}\n\n${USAGE}`);
        return 2;
      }
      const dryRun = values['dry-run'] === true;
      return await runScheduleCommand({ rule, rules, dryRun, json: values['json'] === true, env, progress: process.stderr }, out);
    }
    if (command === 'simulate') {
      const event = values['event'] as string | undefined;
      if (!event) {
        out(`rulebot simulate: --event FILE is required\n\n${USAGE}`);
        return 2;
      }
      return await runSimulate(
        {
          event,
          header: values['header'] as string | undefined,
          rules,
          diffs: values['diffs'] as string | undefined,
          botUsername: values['bot'] as string | undefined,
          projectConfig: values['project-config'] as string | undefined,
          env,
        },
        out,
      );
    }
  } catch (error) {
    if (error instanceof RulebotError || error instanceof SyntaxError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      out(`rulebot ${command}: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
  out(`rulebot: unknown command "${command}"\n\n${USAGE}`);
  return 2;
}

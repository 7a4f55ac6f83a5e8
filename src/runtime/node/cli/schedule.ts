// `rulebot schedule "<rule name>" [--dry-run] [--json]`: runs one schedule rule now, for cron jobs and CI schedules.
import type { ApiCall } from '../../../pipeline/index.js';
import { parseConfig, secretValues } from '../../../config/config.js';
import { createEngine } from '../../../engine.js';
import { createLogger } from '../../../log.js';
import { loadCentralRulesDir } from '../load-rules-dir.js';
import { createPooledFetch } from '../pooled-fetch.js';
import type { ScanProgress, ScanReport } from '../../../schedule/scan.js';
import { MemoryStore } from '../../../store/index.js';
import { cliCredentials } from './credentials.js';

export interface ScheduleCommandOptions {
  rule: string;
  rules: string;
  dryRun: boolean;
  json: boolean;
  env: Record<string, string | undefined>;
  /** Where the progress display goes; shown only when it is a terminal. */
  progress?: { isTTY?: boolean; write(text: string): unknown };
}

export async function runScheduleCommand(options: ScheduleCommandOptions, out: (line: string) => void): Promise<number> {
  // A CI job token may only read: `--dry-run` works with one, a real run does not.
  const config = parseConfig({ ...options.env, RULES_DIR: options.rules }, { requireSecret: false, readOnly: options.dryRun });
  const central = await loadCentralRulesDir(options.rules);
  const log = createLogger({ level: config.logLevel === 'debug' ? 'debug' : 'error', write: (line) => process.stderr.write(`${line}\n`), secrets: secretValues(config) });
  const pool = createPooledFetch();
  const credentials = cliCredentials(config, log, 'schedule', pool.fetch);
  try {
    const engine = createEngine({ config, rules: central.ruleSet, central, store: new MemoryStore(), log, fetch: pool.fetch, upkeep: credentials.upkeep });
    // Rules of the rule files' presets are read from GitLab first.
    const rule = central.presets ? await engine.scheduleRule(options.rule) : central.ruleSet.find(options.rule);
    if (!rule?.schedule) {
      const rules = central.presets ? await engine.dynamicScheduleRules() : central.ruleSet.rules;
      const names = rules.filter((r) => r.schedule).map((r) => `"${r.name}"`);
      // The README's examples live in examples/rules, not in the rules the server loads by default.
      const hint = names.length === 0 ? '; the example schedule rules are in examples/rules: add --rules examples/rules' : '';
      out(`rulebot schedule: no schedule rule named "${options.rule}" in ${options.rules} (schedule rules: ${names.join(', ') || 'none'})${hint}`);
      return 2;
    }
    await engine.init();
    const tty = options.progress?.isTTY ? options.progress : undefined;
    const report = await engine.runSchedule(rule, {
      dryRun: options.dryRun || config.dryRun,
      onProgress: tty && ((p: ScanProgress) => tty.write(`\r${rule.name}: scanned ${p.scanned} · matched ${p.matched} · acted on ${p.acted}`)),
    });
    if (tty) tty.write('\n');
    if (options.json) out(JSON.stringify(report));
    else printReport(report, out);
    return report.errors.length > 0 ? 1 : 0;
  } finally {
    await Promise.all([pool.close(), credentials.close()]);
  }
}

function printReport(report: ScanReport, out: (line: string) => void): void {
  const verb = report.dry_run ? 'would' : 'did';
  for (const item of report.items) {
    const what = item.calls.map(describeCall).join(', ');
    out(`${verb}: ${what} on ${item.url} (${item.title})`);
  }
  if (report.summary) {
    out(`${verb}: open the summary issue "${report.summary.title}" in ${report.summary.project}${report.summary.url ? ` (${report.summary.url})` : ''}, listing ${report.items.length} items:`);
    for (const line of report.summary.description.split('\n')) out(`  ${line}`);
  }
  for (const error of report.errors) out(`error: ${error.item ? `${error.item}: ` : ''}${error.message}`);
  const limit = report.stopped_at_limit ? ` (stopped at the limit of ${report.limit}; the rest waits for the next run)` : '';
  out(
    `${report.rule}: scanned ${report.scanned}, matched ${report.matched}, ${report.dry_run ? 'would act on' : 'acted on'} ${report.acted}${limit}, ` +
      `${report.errors.length} errors, ${report.api_calls} API calls, ${(report.duration_ms / 1000).toFixed(1)} s${report.dry_run ? ' (dry run: nothing changed)' : ''}`,
  );
}

function describeCall({ kind, body }: ApiCall): string {
  if (kind === 'note') return 'comment';
  if (kind === 'edit') {
    const parts: string[] = [];
    if (body['add_labels']) parts.push(`add ${String(body['add_labels'])}`);
    if (body['remove_labels']) parts.push(`remove ${String(body['remove_labels'])}`);
    if (body['state_event']) parts.push(String(body['state_event']));
    if (body['assignee_ids']) parts.push('assign');
    if (body['reviewer_ids']) parts.push('request review');
    return parts.join(', ');
  }
  return kind;
}

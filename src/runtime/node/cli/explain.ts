// `rulebot explain <event id | merge request or issue URL>`: what rulebot decided, and why, for people.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseConfig } from '../../../config/config.js';
import type { DecisionQuery, DecisionRecord } from '../../../store/index.js';
import { SqliteStore } from '../sqlite-store.js';

export interface ExplainOptions {
  target: string;
  json: boolean;
  /** A running rulebot to ask (`GET /api/events`), instead of DATA_DIR's database: the only way on Workers. */
  url: string | undefined;
  limit: number;
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
}

/** `…/group/project/-/merge_requests/42`, `…/-/issues/17` or `…/-/work_items/17`. */
const SUBJECT_URL = /^https?:\/\/[^/]+\/(.+?)\/-\/(merge_requests|issues|work_items)\/(\d+)(?:[/?#]|$)/;

export async function runExplain(options: ExplainOptions, out: (line: string) => void): Promise<number> {
  const subject = SUBJECT_URL.exec(options.target);
  const query: DecisionQuery | undefined = subject
    ? { project: decodeURIComponent(subject[1]!), iid: Number(subject[3]), kind: subject[2] === 'merge_requests' ? 'merge_request' : 'issue', limit: options.limit }
    : undefined;
  const records = options.url ? await fromServer(options, query) : await fromDatabase(options, query);
  if (records === undefined) return 1;
  if (records.length === 0) {
    out(
      subject
        ? `rulebot explain: no record of events on ${options.target} (records are kept DECISIONS_RETENTION_DAYS days)`
        : `rulebot explain: no event with id "${options.target}" (never received, or older than DECISIONS_RETENTION_DAYS)`,
    );
    return 1;
  }
  if (options.json) {
    for (const record of records) out(JSON.stringify(record));
    return 0;
  }
  records.forEach((record, i) => {
    if (i > 0) out('');
    describeRecord(record).forEach((line) => out(line));
  });
  return 0;

  async function fromDatabase(opts: ExplainOptions, q: DecisionQuery | undefined): Promise<DecisionRecord[] | undefined> {
    const config = parseConfig(opts.env, { requireSecret: false });
    // A mistyped DATA_DIR must not say "no record" from a database made on the spot.
    if (!existsSync(join(config.dataDir, 'rulebot.sqlite'))) {
      out(`rulebot explain: no rulebot database in ${resolve(config.dataDir)}: set DATA_DIR to the directory rulebot keeps its state in, or ask a running rulebot with --url`);
      return undefined;
    }
    const store = new SqliteStore(config.dataDir);
    try {
      if (q) return (await store.decisions(q)).records;
      const record = await store.decision(opts.target);
      return record ? [record] : [];
    } finally {
      await store.close();
    }
  }

  async function fromServer(opts: ExplainOptions, q: DecisionQuery | undefined): Promise<DecisionRecord[] | undefined> {
    const token = opts.env['RULEBOT_TOKEN'] || opts.env['UI_TOKEN'] || opts.env['GITLAB_WEBHOOK_SECRET']?.split(',')[0]?.trim();
    const base = opts.url!.replace(/\/+$/, '');
    const path = q
      ? `/api/events?${new URLSearchParams({ project: q.project!, iid: String(q.iid), kind: q.kind!, limit: String(q.limit) })}`
      : `/api/events/${encodeURIComponent(opts.target)}`;
    const response = await (opts.fetch ?? fetch)(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (response.status === 404 && !q) return [];
    const body = (await response.json()) as { events?: DecisionRecord[]; error?: string } & DecisionRecord;
    if (!response.ok) {
      out(`rulebot explain: ${base} answered ${response.status}: ${body.error ?? 'no reason given'}${response.status === 401 ? ' (set RULEBOT_TOKEN, or UI_TOKEN or GITLAB_WEBHOOK_SECRET, to a value rulebot accepts)' : ''}`);
      return undefined;
    }
    return q ? (body.events ?? []) : [body];
  }
}

/** A record in lines for a terminal. */
export function describeRecord(record: DecisionRecord): string[] {
  const subject = record.subject ? ` on ${record.project?.path ?? ''}${record.subject.kind === 'merge_request' ? '!' : '#'}${record.subject.iid} "${record.subject.title}"` : '';
  const what = record.schedule ? `schedule run of "${record.schedule.rule}"` : record.event;
  const lines = [
    `${what}${subject}`,
    `  event ${record.id}, received ${record.received_at}, ${record.outcome}${record.reason ? `: ${record.reason}` : ''}; ${record.attempts} attempt${record.attempts === 1 ? '' : 's'}${record.dry_run ? ', dry run' : ''}`,
  ];
  if (record.user) lines.push(`  by ${record.user.username || `user ${record.user.id}`}`);
  if (record.rules.length > 0) {
    lines.push('  rules:');
    const width = Math.max(...record.rules.map((rule) => rule.name.length));
    for (const rule of record.rules) {
      const verdict = rule.fired ? 'fired       ' : rule.undecided ? 'not decided ' : 'did not fire';
      lines.push(`    ${verdict}  ${rule.name.padEnd(width)}  ${rule.fired ? '' : `${rule.reason ?? ''}  `}(${rule.source})`);
    }
    if (record.rules_omitted > 0) lines.push(`    and ${record.rules_omitted} more`);
  } else if (!record.schedule && record.outcome !== 'ignored' && record.outcome !== 'duplicate') {
    lines.push('  rules: none listened to this event');
  }
  for (const command of record.commands) lines.push(`  command ${command.line}: ${command.status}${command.reasons.length ? `: ${command.reasons.join('; ')}` : ''}`);
  if (record.schedule) {
    const run = record.schedule;
    lines.push(`  ${run.scanned} scanned, ${run.matched} matched, ${run.acted} acted on, ${run.api_calls} GitLab requests, ${run.errors} problems`);
    for (const item of run.items) lines.push(`    ${item.project} ${item.iid} "${item.title}": ${item.calls.join(', ')}`);
    for (const summary of run.summaries) lines.push(`    summary issue "${summary.title}" in ${summary.project}: ${summary.url || 'not created'}`);
    for (const problem of run.problems) lines.push(`    problem: ${problem}`);
  }
  if (record.calls.length > 0) {
    lines.push('  GitLab calls:');
    const width = Math.max(...record.calls.map((call) => `${call.method} ${call.path}`.length));
    for (const call of record.calls) {
      const retries = call.retries > 0 ? `, ${call.retries} retries` : '';
      lines.push(`    ${`${call.method} ${call.path}`.padEnd(width)}  ${call.status === 0 ? 'no answer' : call.status}  ${call.duration_ms} ms${retries}`);
    }
    if (record.calls_omitted > 0) lines.push(`    and ${record.calls_omitted} more`);
  }
  for (const warning of record.warnings) lines.push(`  warning: ${warning}`);
  return lines;
}

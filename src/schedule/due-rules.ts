// When schedule rules are due (their cron fired since their last run), and the one-line summary of a run.
import { Cron } from 'croner';
import type { Rule } from '../rules/index.js';
import type { Store } from '../store/index.js';
import type { ScanReport } from './scan.js';

/**
 * The schedule rules whose cron (UTC) fired since their last run and up to `at`, each once however
 * many times it fired. A rule that never ran counts from `since` when given, and is not due otherwise.
 */
export async function dueRules(rules: readonly Rule[], store: Store, at: number, since?: number): Promise<{ rule: Rule; last: number | undefined }[]> {
  const due = [];
  for (const rule of rules) {
    if (!rule.schedule) continue;
    const last = await store.lastScheduleRun(rule.key);
    const from = last ?? since;
    if (from === undefined) continue;
    const next = new Cron(rule.schedule.cron, { timezone: 'UTC', paused: true }).nextRun(new Date(from));
    if (next && next.getTime() <= at) due.push({ rule, last });
  }
  return due;
}

export function summary(report: ScanReport) {
  const { rule, scanned, matched, acted, api_calls, stopped_at_limit, duration_ms, errors } = report;
  return { rule, scanned, matched, acted, api_calls, stopped_at_limit, duration_ms, errors: errors.length };
}

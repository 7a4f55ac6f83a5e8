// Builds the decision record of a schedule run (or of one step of it): its counts and the items acted on.
import type { DecisionInput, DecisionOutcome } from '../store/index.js';
import type { ScanReport } from '../schedule/scan.js';
import type { CallLog } from './call-log.js';

/** The id of a run's record: every step of one run shares it. */
export function scheduleRecordId(rule: string, startedAt: number): string {
  return `schedule:${rule}:${new Date(startedAt).toISOString()}`;
}

export function scheduleRecord(input: {
  rule: string;
  startedAt: number;
  finishedAt: number;
  outcome: DecisionOutcome;
  reason: string | null;
  report: ScanReport | undefined;
  dryRun: boolean;
  calls: CallLog;
}): DecisionInput {
  const { report } = input;
  return {
    id: scheduleRecordId(input.rule, input.startedAt),
    event: 'schedule',
    event_uuid: null,
    project: null,
    subject: null,
    user: null,
    outcome: input.outcome,
    reason: input.reason,
    received_at: input.startedAt,
    finished_at: input.finishedAt,
    attempts: 1,
    dry_run: input.dryRun,
    rules: [],
    rules_omitted: 0,
    commands: [],
    calls: input.calls.calls,
    calls_omitted: input.calls.omitted,
    planned: [],
    warnings: [],
    schedule: {
      rule: input.rule,
      scanned: report?.scanned ?? 0,
      matched: report?.matched ?? 0,
      acted: report?.acted ?? 0,
      api_calls: report?.api_calls ?? 0,
      errors: report?.errors.length ?? 0,
      items: (report?.items ?? []).map((item) => ({
        project: item.project, iid: item.iid, title: item.title, url: item.url, calls: item.calls.map((call) => `${call.method} ${call.path}`),
      })),
      problems: (report?.errors ?? []).map((error) => (error.item ? `${error.item}: ${error.message}` : error.message)),
      summaries: report?.summary ? [{ project: report.summary.project, title: report.summary.title, url: report.summary.url ?? '' }] : [],
    },
  };
}

// A decision record as the SQL tables keep it: compact JSON for what is read whole, columns for what filters and updates touch.
import type { DecisionInput, DecisionOutcome, DecisionRecord, RuleVerdict } from './decision-record.js';

/** The columns of a record's row that its JSON leaves out; `toRecord` puts them back. */
export interface DecisionColumns {
  id: string;
  event: string;
  project: string | null;
  project_id: number | null;
  subject_kind: string | null;
  iid: number | null;
  received_at: number;
  finished_at: number | null;
  attempts: number;
  outcome: string;
  reason: string | null;
}

/** Records written before the columns were left out hold `event`, `project` and the whole `subject` too: the columns are read instead. */
type Stored = Partial<Omit<DecisionRecord, 'rules' | 'subject'>> & { rules?: Partial<RuleVerdict>[]; subject?: Partial<NonNullable<DecisionRecord['subject']>> };

/**
 * The record as stored: without what columns hold (the event, the project, the subject's kind and
 * iid, times, attempts, outcome and reason), and without empty parts (null, false, 0, []), which
 * `toRecord` puts back. A record is written for every event, so its size is paid often.
 */
export function compactJson(record: DecisionInput): string {
  const stored: Stored = {};
  if (record.event_uuid !== null) stored.event_uuid = record.event_uuid;
  if (record.subject) stored.subject = { title: record.subject.title, url: record.subject.url };
  if (record.user) stored.user = record.user;
  if (record.dry_run) stored.dry_run = true;
  if (record.rules.length > 0) stored.rules = record.rules.map(compactVerdict);
  if (record.rules_omitted > 0) stored.rules_omitted = record.rules_omitted;
  if (record.commands.length > 0) stored.commands = record.commands;
  if (record.calls.length > 0) stored.calls = record.calls;
  if (record.calls_omitted > 0) stored.calls_omitted = record.calls_omitted;
  if (record.planned.length > 0) stored.planned = record.planned;
  if (record.warnings.length > 0) stored.warnings = record.warnings;
  if (record.schedule) stored.schedule = record.schedule;
  return JSON.stringify(stored);
}

/** A verdict as stored: a fired rule by name and source; the reason left out when its parts give it back. */
function compactVerdict(rule: RuleVerdict): Partial<RuleVerdict> {
  if (rule.fired) return { name: rule.name, source: rule.source, fired: true };
  const stored: Partial<RuleVerdict> = { name: rule.name, source: rule.source, condition: rule.condition, expected: rule.expected, found: rule.found };
  if (rule.undecided) stored.undecided = true;
  if (rule.reason !== reasonOf(rule)) stored.reason = rule.reason;
  return stored;
}

/** `labels.none: found "backport"`, or `files: could not be decided: …`, from a verdict's parts. */
function reasonOf(rule: Partial<RuleVerdict>): string | null {
  if (!rule.condition || !rule.found) return null;
  return rule.undecided ? `${rule.condition}: could not be decided: ${rule.found}` : `${rule.condition}: ${rule.found}`;
}

/** The record from its columns and its stored JSON, keys in the documented order (docs/decision-records.md), empty parts put back. */
export function toRecord(columns: DecisionColumns, json: string): DecisionRecord {
  const stored = JSON.parse(json) as Stored;
  const kind = columns.subject_kind as NonNullable<DecisionRecord['subject']>['kind'] | null;
  return {
    id: columns.id,
    event: columns.event,
    event_uuid: stored.event_uuid ?? null,
    project: columns.project_id === null ? null : { id: columns.project_id, path: columns.project ?? String(columns.project_id) },
    subject: kind === null ? null : { kind, iid: columns.iid ?? 0, title: stored.subject?.title ?? '', url: stored.subject?.url || null },
    user: stored.user ? { id: stored.user.id ?? 0, username: stored.user.username ?? '' } : null,
    outcome: columns.outcome as DecisionOutcome,
    reason: columns.reason,
    received_at: new Date(columns.received_at).toISOString(),
    finished_at: columns.finished_at === null ? null : new Date(columns.finished_at).toISOString(),
    attempts: columns.attempts,
    dry_run: stored.dry_run ?? false,
    rules: (stored.rules ?? []).map((rule) => ({
      name: rule.name ?? '',
      source: rule.source ?? '',
      fired: rule.fired ?? false,
      reason: rule.reason ?? (rule.fired ? null : reasonOf(rule)),
      condition: rule.condition ?? null,
      expected: rule.expected ?? null,
      found: rule.found ?? null,
      undecided: rule.undecided ?? false,
    })),
    rules_omitted: stored.rules_omitted ?? 0,
    commands: (stored.commands ?? []).map((command) => ({ ...command, reasons: command.reasons ?? [] })),
    calls: (stored.calls ?? []).map((call) => ({ method: call.method, path: call.path, status: call.status ?? 0, duration_ms: call.duration_ms ?? 0, retries: call.retries ?? 0 })),
    calls_omitted: stored.calls_omitted ?? 0,
    planned: (stored.planned ?? []).map((call) => ({ ...call, rules: call.rules ?? [] })),
    warnings: stored.warnings ?? [],
    schedule: stored.schedule
      ? {
          rule: stored.schedule.rule,
          scanned: stored.schedule.scanned ?? 0,
          matched: stored.schedule.matched ?? 0,
          acted: stored.schedule.acted ?? 0,
          api_calls: stored.schedule.api_calls ?? 0,
          errors: stored.schedule.errors ?? 0,
          items: (stored.schedule.items ?? []).map((item) => ({ ...item, calls: item.calls ?? [] })),
          problems: stored.schedule.problems ?? [],
          // Records made before summary issues were recorded have none.
          summaries: stored.schedule.summaries ?? [],
        }
      : null,
  };
}

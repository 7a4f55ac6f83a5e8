// The decision record: what rulebot did with one event or schedule run, and why. Its JSON is documented in docs/decision-records.md.

/**
 * `done`: acted on (or decided nothing was to be done); `retrying`: an attempt failed and another
 * will follow; `dead_letter`: failed for good, kept to be put back; `ignored`: not acted on, `reason`
 * says why; `duplicate`: a delivery seen before. Schedule runs are `running` between their steps,
 * then `done` or `failed`.
 */
export const DECISION_OUTCOMES = ['done', 'retrying', 'dead_letter', 'ignored', 'duplicate', 'running', 'failed'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

/** One rule that listened to the event: whether it fired, and if not, why. */
export interface RuleVerdict {
  name: string;
  /** Where the rule is written: `rules/labels.yml:12`. */
  source: string;
  fired: boolean;
  /** Why it did not fire, in one line (`labels.none: found "backport"`), or that it could not be decided; null when it fired. */
  reason: string | null;
  /** The first condition that did not hold (`labels.none`), null when it fired. */
  condition: string | null;
  /** What that condition asks for, in words. */
  expected: string | null;
  /** What the event showed, in words. */
  found: string | null;
  /** True when the rule's outcome could not be decided (a fact GitLab could not give, or was not asked for). */
  undecided: boolean;
}

/** A chat-ops command of the event's note, with its verdict. */
export interface CommandVerdict {
  command: string;
  /** The command line as written. */
  line: string;
  /** `ran`, `failed`, `help`, `why`, `refused`, `unknown`, `rate_limited` or `undecided` (see CommandStatus). */
  status: string;
  /** Why it was refused, in the words of the reply. */
  reasons: string[];
}

/** One request made to GitLab while handling the event, with its retries. */
export interface CallRecord {
  method: string;
  /** Below `/api/v4`, without the query. */
  path: string;
  /** GitLab's final answer (0: no answer came). */
  status: number;
  /** Time spent waiting for GitLab's answers, over every try. */
  duration_ms: number;
  /** Tries after the first. */
  retries: number;
}

/** A write rulebot planned (made, unless the record says dry run or a call failed). */
export interface PlannedCall {
  kind: string;
  method: string;
  path: string;
  /** The rules it carries out. */
  rules: string[];
}

export interface ScheduleSummary {
  rule: string;
  scanned: number;
  matched: number;
  acted: number;
  api_calls: number;
  errors: number;
  /** The items acted on (or, in dry run, that would have been). */
  items: { project: string; iid: number; title: string; url: string; calls: string[] }[];
  /** What went wrong, item by item. */
  problems: string[];
  /**
   * The summary issues the run opened (a rule's `summary`): one per run, or per step of a run on
   * Workers; `url` is empty when it was not created (dry run, or GitLab refused: see `problems`).
   */
  summaries: { project: string; title: string; url: string }[];
}

export interface DecisionRecord {
  /** The event id answered to GitLab (its `Idempotency-Key` or signed `webhook-id` when it sent one); `schedule:<rule>:<start>` for a schedule run. */
  id: string;
  /** `merge_request.open`, `note.create`, `schedule`; for an ignored delivery, its `object_kind`. */
  event: string;
  /** `X-Gitlab-Event-UUID` of the delivery. */
  event_uuid: string | null;
  project: { id: number; path: string } | null;
  /** `url`: the merge request's or issue's page, null when the payload did not tell it. */
  subject: { kind: 'merge_request' | 'issue'; iid: number; title: string; url: string | null } | null;
  /** Who caused the event. */
  user: { id: number; username: string } | null;
  outcome: DecisionOutcome;
  /** Why it was ignored, a duplicate, retried or a dead letter. */
  reason: string | null;
  received_at: string;
  finished_at: string | null;
  /** Attempts made so far. */
  attempts: number;
  dry_run: boolean;
  /** Every rule that listened to the event in this project, in rule order. */
  rules: RuleVerdict[];
  /** Rules left out of `rules` to keep the record small. */
  rules_omitted: number;
  commands: CommandVerdict[];
  calls: CallRecord[];
  calls_omitted: number;
  planned: PlannedCall[];
  warnings: string[];
  schedule: ScheduleSummary | null;
}

/**
 * A record as it is written: the times in epoch milliseconds (read back, they are ISO 8601 texts).
 * Writing one happens for every event; formatting its times is left to the few that are read.
 */
export type DecisionInput = Omit<DecisionRecord, 'received_at' | 'finished_at'> & { received_at: number; finished_at: number | null };

/**
 * The record of something rulebot decided nothing about (a delivery it does not act on, one it cannot
 * read, an outcome whose event left no record): who and what it was, and no rules, commands or calls.
 */
export function bareRecord(head: Pick<DecisionInput, 'id' | 'event' | 'event_uuid' | 'project' | 'subject' | 'user' | 'outcome' | 'reason' | 'received_at' | 'finished_at'>): DecisionInput {
  return { ...head, attempts: 0, dry_run: false, rules: [], rules_omitted: 0, commands: [], calls: [], calls_omitted: 0, planned: [], warnings: [], schedule: null };
}

/** Filters of `GET /api/events`, newest first. */
export interface DecisionQuery {
  /** `path_with_namespace`, or the numeric id. */
  project?: string | undefined;
  iid?: number | undefined;
  kind?: 'merge_request' | 'issue' | undefined;
  /** Records where this rule listened (fired or not). */
  rule?: string | undefined;
  outcome?: DecisionOutcome | undefined;
  /** `schedule` for schedule runs only. */
  event?: string | undefined;
  limit: number;
  /** The `next_before` of the previous page. */
  before?: string | undefined;
}

export interface DecisionPage {
  records: DecisionRecord[];
  /** Pass as `before` for the next page; null on the last. */
  next_before: string | null;
}

/** How long records are kept and how many at most (DECISIONS_RETENTION_DAYS, DECISIONS_MAX). */
export interface DecisionLimits {
  retentionMs: number;
  max: number;
}

export const DEFAULT_DECISION_LIMITS: DecisionLimits = { retentionMs: 7 * 86_400_000, max: 50_000 };

const TEXT = 300;
const LONG_TEXT = 500;

/**
 * Keeps a record small whatever it holds: titles, messages and reasons come from users and GitLab,
 * and a rule set or a scan can be large. Lists are cut with a count of what was left out.
 */
export function boundRecord<R extends DecisionInput | DecisionRecord>(record: R): R {
  // Most records are far within bounds: they are kept as they are, without a copy.
  if (withinBounds(record)) return record;
  const rules = record.rules.slice(0, 200).map((rule) => ({
    ...rule,
    name: clip(rule.name, 200),
    source: clip(rule.source, TEXT),
    reason: rule.reason && clip(rule.reason, LONG_TEXT),
    expected: rule.expected && clip(rule.expected, TEXT),
    found: rule.found && clip(rule.found, TEXT),
  }));
  const calls = record.calls.slice(0, 100).map((call) => ({ ...call, path: clip(call.path, TEXT) }));
  return {
    ...record,
    id: clip(record.id, 300),
    event: clip(record.event, 100),
    event_uuid: record.event_uuid && clip(record.event_uuid, 300),
    project: record.project && { id: record.project.id, path: clip(record.project.path, TEXT) },
    subject: record.subject && { ...record.subject, title: clip(record.subject.title, 200), url: record.subject.url && clip(record.subject.url, LONG_TEXT) },
    user: record.user && { id: record.user.id, username: clip(record.user.username, 100) },
    reason: record.reason && clip(record.reason, LONG_TEXT),
    rules,
    rules_omitted: record.rules_omitted + record.rules.length - rules.length,
    commands: record.commands.slice(0, 20).map((command) => ({
      ...command,
      line: clip(command.line, TEXT),
      reasons: command.reasons.slice(0, 10).map((reason) => clip(reason, LONG_TEXT)),
    })),
    calls,
    calls_omitted: record.calls_omitted + record.calls.length - calls.length,
    planned: record.planned.slice(0, 50).map((call) => ({ ...call, path: clip(call.path, TEXT), rules: call.rules.slice(0, 20) })),
    warnings: record.warnings.slice(0, 20).map((warning) => clip(warning, LONG_TEXT)),
    schedule: record.schedule && boundSchedule(record.schedule),
  };
}

function short(text: string | null, max: number): boolean {
  return text === null || text.length <= max;
}

function withinBounds(record: DecisionInput | DecisionRecord): boolean {
  if (record.rules.length > 200 || record.calls.length > 100 || record.commands.length > 20 || record.planned.length > 50 || record.warnings.length > 20) return false;
  if (!short(record.id, 300) || !short(record.event, 100) || !short(record.event_uuid, 300) || !short(record.reason, LONG_TEXT)) return false;
  if (record.project && !short(record.project.path, TEXT)) return false;
  if (record.subject && (!short(record.subject.title, 200) || !short(record.subject.url, LONG_TEXT))) return false;
  if (record.user && !short(record.user.username, 100)) return false;
  for (const rule of record.rules) {
    if (!short(rule.name, 200) || !short(rule.source, TEXT) || !short(rule.reason, LONG_TEXT) || !short(rule.expected, TEXT) || !short(rule.found, TEXT)) return false;
  }
  for (const call of record.calls) if (!short(call.path, TEXT)) return false;
  for (const call of record.planned) if (!short(call.path, TEXT) || call.rules.length > 20) return false;
  for (const command of record.commands) {
    if (!short(command.line, TEXT) || command.reasons.length > 10) return false;
    for (const reason of command.reasons) if (!short(reason, LONG_TEXT)) return false;
  }
  for (const warning of record.warnings) if (!short(warning, LONG_TEXT)) return false;
  return record.schedule === null;
}

function boundSchedule(schedule: ScheduleSummary): ScheduleSummary {
  return {
    ...schedule,
    items: schedule.items.slice(0, 100).map((item) => ({
      ...item,
      title: clip(item.title, 200),
      url: clip(item.url, LONG_TEXT),
      calls: item.calls.slice(0, 10).map((call) => clip(call, TEXT)),
    })),
    problems: schedule.problems.slice(0, 20).map((problem) => clip(problem, LONG_TEXT)),
    summaries: schedule.summaries.slice(0, 20).map((summary) => ({ project: clip(summary.project, TEXT), title: clip(summary.title, 200), url: clip(summary.url, LONG_TEXT) })),
  };
}

/** The record of a further step of a schedule run, added to what the earlier steps recorded. */
export function mergeScheduleRecords(earlier: DecisionRecord, next: DecisionInput): DecisionInput {
  const a = earlier.schedule;
  const b = next.schedule;
  if (!a || !b) return next;
  return {
    ...next,
    received_at: Date.parse(earlier.received_at),
    calls: [...earlier.calls, ...next.calls],
    calls_omitted: earlier.calls_omitted + next.calls_omitted,
    warnings: [...earlier.warnings, ...next.warnings],
    schedule: {
      rule: b.rule,
      scanned: a.scanned + b.scanned,
      matched: a.matched + b.matched,
      acted: a.acted + b.acted,
      api_calls: a.api_calls + b.api_calls,
      errors: a.errors + b.errors,
      items: [...a.items, ...b.items],
      problems: [...a.problems, ...b.problems],
      summaries: [...a.summaries, ...b.summaries],
    },
  };
}

/** Text cut to `max` characters, marked with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// Builds the decision record of one attempt of an event, from what the pipeline and the commands reported.
import type { CommandReport } from '../chatops/run-commands.js';
import type { RuleEvent } from '../event/event.js';
import type { ApiCall } from '../pipeline/index.js';
import type { Rule } from '../rules/index.js';
import type { DecisionInput, DecisionOutcome } from '../store/index.js';
import type { CallLog } from './call-log.js';
import { ruleVerdicts, type DecisionSeen } from './rule-verdicts.js';

export interface EventRecordInput {
  id: string;
  event: RuleEvent;
  eventUuid: string | undefined;
  receivedAt: number;
  finishedAt: number;
  outcome: DecisionOutcome;
  reason: string | null;
  dryRun: boolean;
  /** The rules that listened to the event in its project. */
  rules: readonly Rule[];
  /** What was decided, once it was (undefined when the attempt failed before). */
  decision: DecisionSeen | undefined;
  commands: readonly CommandReport[];
  /** Every write planned: the event's, the commands', the replies. */
  planned: readonly ApiCall[];
  warnings: readonly string[];
  calls: CallLog;
}

/** The record of one attempt. Counted as one attempt; `attempts` adds up in the store. */
export function eventRecord(input: EventRecordInput): DecisionInput {
  const { event } = input;
  const subject = event.subject;
  return {
    id: input.id,
    event: event.names.at(-1) ?? event.kind,
    event_uuid: input.eventUuid ?? null,
    project: { id: event.project.id, path: event.project.path_with_namespace },
    subject: subject ? { kind: subject.type, iid: subject.iid, title: subject.title, url: subject.url } : null,
    user: event.user.id || event.user.username ? { id: event.user.id, username: event.user.username } : null,
    outcome: input.outcome,
    reason: input.reason,
    received_at: input.receivedAt,
    finished_at: input.finishedAt,
    attempts: 1,
    dry_run: input.dryRun,
    rules: ruleVerdicts(input.rules, input.decision, input.finishedAt, input.outcome === 'done' ? undefined : (input.reason ?? undefined)),
    rules_omitted: 0,
    commands: input.commands.map((report) => ({ command: report.command, line: report.line, status: report.status, reasons: report.reasons })),
    calls: input.calls.calls,
    calls_omitted: input.calls.omitted,
    planned: input.planned.map((call) => ({ kind: call.kind, method: call.method, path: call.path, rules: call.rules })),
    warnings: [...input.warnings],
    schedule: null,
  };
}

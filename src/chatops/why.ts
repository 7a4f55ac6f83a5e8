// The built-in `why` command: the last events on this merge request or issue, which rules fired, which did not and why.
import { executeCalls, readFact, type ApiCall } from '../pipeline/index.js';
import { noteablePath } from '../gitlab/index.js';
import type { Condition, Facts, Role } from '../rules/index.js';
import type { RuleEvent } from '../event/event.js';
import type { DecisionRecord } from '../store/index.js';
import { explainCondition } from './explain.js';
import type { CommandDeps } from './command-types.js';
import type { CommandReport } from './report.js';

/** Events shown in the reply, newest first. */
const EVENTS_SHOWN = 5;

/**
 * Answers `@<bot> why` with the decision records of the last events on this merge request or issue:
 * for each, the rules that fired, those that did not with the first condition that failed, and the
 * GitLab calls made. Only people with `whyAccess` (default Developer) may ask: the records name rules,
 * conditions and calls. Costs the asker's role (cached a minute, usually read already) and one note.
 */
export async function runWhy(event: RuleEvent, deps: CommandDeps): Promise<CommandReport> {
  const command = event.command!;
  const refuse = (reasons: string[]): CommandReport => ({ command: 'why', line: command.line, status: 'refused', reasons, calls: [] });
  const role: Role = deps.whyAccess ?? 'developer';
  const state: { event: RuleEvent; facts: Facts } = { event, facts: {} };
  const problem = await readFact('access', state, deps);
  if (problem) return refuse([`could not check: ${problem}`]);
  const refused = explainCondition({ user: { access: role } } as Condition, state.event, state.facts);
  if (refused.length > 0) return refuse(refused);

  const subject = event.subject!;
  const page = await deps.store.decisions({ project: event.project.path_with_namespace, iid: subject.iid, kind: subject.type, limit: 4 * EVENTS_SHOWN });
  // Deliveries seen twice and events not acted on (the bot's own, mostly) say nothing about the rules.
  const records = page.records.filter((record) => record.outcome !== 'duplicate' && record.outcome !== 'ignored').slice(0, EVENTS_SHOWN);
  const path = noteablePath(event.project.id, subject.type, subject.iid);
  const replyPath = command.discussion_id ? `${path}/discussions/${command.discussion_id}/notes` : `${path}/notes`;
  const body = whyText(event, records);
  // An internal note (or one on a confidential issue) is answered internally: the reply repeats its context.
  const calls: ApiCall[] = [{ kind: 'note', method: 'POST', path: replyPath, body: event.note?.internal ? { body, internal: true } : { body }, rules: [] }];
  await executeCalls(calls, deps);
  return { command: 'why', line: command.line, status: 'why', reasons: [], calls };
}

/** The reply: one block per event, newest first. Text from users (titles, labels, paths) is shown as inline code, where it does nothing. */
export function whyText(event: RuleEvent, records: readonly DecisionRecord[]): string {
  const thing = event.subject?.type === 'issue' ? 'issue' : 'merge request';
  const to = event.user.username ? `@${event.user.username}, ` : '';
  if (records.length === 0) {
    return `${to}rulebot has no record of events on this ${thing}. Records are kept for a limited time (DECISIONS_RETENTION_DAYS), and events rulebot did not act on are not listed.`;
  }
  const lines = [`${to}the last ${records.length === 1 ? 'event' : `${records.length} events`} rulebot handled on this ${thing}, newest first:`];
  for (const record of records) lines.push('', ...recordLines(record));
  return lines.join('\n');
}

function recordLines(record: DecisionRecord): string[] {
  const by = record.user?.username ? ` by ${code(record.user.username)}` : '';
  const outcome = record.reason && record.outcome !== 'done' ? `${record.outcome} (${code(record.reason)})` : record.outcome;
  const lines = [`**${record.event}**${by}, ${when(record.received_at)}: ${outcome} (event ${code(record.id)})`];
  if (record.rules.length === 0 && record.commands.length === 0) lines.push('- no rule listened to this event');
  for (const rule of record.rules) {
    if (rule.fired) lines.push(`- fired: ${code(rule.name)}`);
    else lines.push(`- ${rule.undecided ? 'not decided' : 'did not fire'}: ${code(rule.name)}: ${code(rule.reason ?? '')}`);
  }
  if (record.rules_omitted > 0) lines.push(`- and ${record.rules_omitted} more rules`);
  for (const command of record.commands) {
    const reasons = command.reasons.length > 0 ? `: ${code(command.reasons.join('; '))}` : '';
    lines.push(`- command ${code(command.line)}: ${command.status}${reasons}`);
  }
  if (record.calls.length > 0) {
    const calls = record.calls.map((call) => `${code(`${call.method} ${call.path}`)} ${call.status === 0 ? 'no answer' : call.status}${call.retries > 0 ? ` after ${call.retries} retries` : ''}`);
    lines.push(`- GitLab: ${calls.join(', ')}${record.calls_omitted > 0 ? ` and ${record.calls_omitted} more` : ''}`);
  }
  if (record.dry_run) lines.push('- dry run: nothing was changed');
  return lines;
}

/** Inline code, where GitLab neither mentions, references nor runs anything; only a backtick could end it. */
function code(text: string): string {
  return `\`${text.replaceAll('`', "'").replace(/\s+/g, ' ')}\``;
}

function when(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

// Runs the chat-ops commands of a new note: rate limit, built-in help, command rules, and a reply when refused.
import { ActionError, GitLabApiError } from '../errors.js';
import { executeCalls, processEvent, type ApiCall, type EventOutcome } from '../pipeline/index.js';
import type { CommandDeps } from './command-types.js';
import { noteablePath } from '../gitlab/index.js';
import type { Command, RuleEvent } from '../event/event.js';
import { explainRule } from './explain.js';
import { renderHelp } from './help.js';
import { runWhy } from './why.js';
import { parseCommands } from './parse.js';
import { describeFailure, needsReply, replyText } from './reply.js';
import type { CommandReport, CommandStatus } from './report.js';

export type { CommandDeps } from './command-types.js';
export type { CommandReport, CommandStatus } from './report.js';

/** The commands of one note: each one's verdict and calls, then the note's reply to refusals and its reactions. */
export interface CommandsRun {
  reports: CommandReport[];
  replies: ApiCall[];
}

/**
 * Finds the commands in a newly created note and runs each in order. Edited notes, system notes and
 * notes whose commands already ran (the same note delivered twice) run nothing. Refused commands are
 * answered once per note, in one reply naming every unmet requirement, and marked with an emoji.
 */
export async function runCommands(event: RuleEvent, deps: CommandDeps): Promise<CommandsRun> {
  const none: CommandsRun = { reports: [], replies: [] };
  const note = event.note;
  const subject = event.subject;
  if (event.kind !== 'note' || event.action !== 'create' || !note || note.system || !subject || !deps.botUsername) return none;
  const parsed = parseCommands(note.body, deps.botUsername);
  if (parsed.length === 0) return none;
  // GitLab may deliver one note twice (a project hook and a group hook, or a re-send): act once per
  // note. The job that claimed the note may run it again after a failure; its effects are guarded.
  const claim = await deps.store.claim(`commands:${event.project.id}:${note.id}`, deps.effects?.jobId ?? crypto.randomUUID());
  if (claim === 'taken') {
    deps.log.info('commands of this note already ran', { note_id: note.id });
    return none;
  }
  const ownClaim = claim === 'own';

  const reports: CommandReport[] = [];
  for (const [index, { name, args, line }] of parsed.entries()) {
    const command: Command = { name, args, line, note_id: note.id, discussion_id: note.discussion_id };
    const commandEvent: RuleEvent = { ...event, kind: 'command', names: ['command', `command.${name}`], command };
    reports.push(await runOne(commandEvent, { ...deps, effects: deps.effects && { ...deps.effects, scope: `command:${index}` } }, ownClaim));
  }

  const answered = reports.filter(needsReply);
  const path = noteablePath(event.project.id, subject.type, subject.iid);
  const closing: ApiCall[] = [];
  // Over-limit users hear it once a minute; after that their notes get a reaction only.
  const onlyLimited = answered.length > 0 && answered.every((report) => report.status === 'rate_limited');
  const explain = !onlyLimited || deps.limiter.shouldExplain(`${event.project.id}:${event.user.id}`);
  if (answered.length > 0 && explain) closing.push(replyCall(event, path, replyText(event, answered, deps.botUsername)));
  // Reactions last and each emoji once: GitLab refuses a second identical award on one note. A
  // command's own reaction (its 👍) comes only once each of its actions was made, and not for a
  // command that did nothing it was asked (every user it named unknown).
  const succeeded = reports.filter((report) => report.status === 'ran' && (report.reasons.length === 0 || report.calls.some((call) => call.kind !== 'reaction' && call.kind !== 'note')));
  const emoji = new Set(succeeded.flatMap((report) => report.calls.flatMap((call) => (call.kind === 'reaction' ? [String(call.body['name'])] : []))));
  if (reports.some((report) => needsReply(report) && !succeeded.includes(report))) emoji.add(deps.refusedEmoji ?? 'no_entry_sign');
  for (const name of emoji) {
    closing.push({ kind: 'reaction', method: 'POST', path: `${path}/notes/${note.id}/award_emoji`, body: { name }, rules: [] });
  }
  await executeCalls(closing, { ...deps, effects: deps.effects && { ...deps.effects, scope: 'replies' } });
  for (const report of reports) deps.log.info('command', { command: report.command, status: report.status, reasons: report.reasons });
  return { reports, replies: closing };
}

async function runOne(event: RuleEvent, deps: CommandDeps, rerun: boolean): Promise<CommandReport> {
  const command = event.command!;
  const report = (status: CommandStatus, reasons: string[] = [], calls: ApiCall[] = []): CommandReport => ({ command: command.name, line: command.line, status, reasons, calls });
  // Only commands that ran count towards the limit; help and refusals do not. A job running its
  // note again after a failure was counted the first time.
  const key = `${event.project.id}:${event.user.id}`;
  const limit = rerun ? ({ allowed: true } as const) : deps.limiter.check(key);
  if (!limit.allowed) {
    const wait = Math.ceil(limit.retryInMs / 1000);
    return report('rate_limited', [`you have used ${limit.limit} commands in the last ${limit.windowMs / 1000} seconds on this project, the most allowed; try again in ${wait} s`]);
  }
  if (command.name === 'help') {
    const subject = event.subject!;
    const path = noteablePath(event.project.id, subject.type, subject.iid);
    const calls: ApiCall[] = [replyCall(event, path, await renderHelp(event, deps, deps.botUsername!))];
    await executeCalls(calls, deps);
    return report('help', [], calls);
  }
  if (command.name === 'why') return runWhy(event, deps);

  const rules = deps.rules.candidates(event).filter((rule) => rule.inProject(event.project.path_with_namespace));
  if (rules.length === 0) return report('unknown', [`\`${command.name}\` is not a command here`]);
  let outcome: EventOutcome;
  try {
    outcome = await processEvent(event, deps, { rules, deferReactions: true });
  } catch (error) {
    // GitLab refused an action (a 405 merge, a 403 rebase), or a failure that may pass is not retried
    // any more: the command is answered with what failed instead of the event becoming a dead letter.
    if (!(error instanceof GitLabApiError)) throw error;
    const gaveUp = error.retryable && (deps.givesUp?.(error) ?? false);
    if (error.retryable && !gaveUp) throw error;
    deps.log.warn('command failed', { command: command.name, error: error.message, gave_up: gaveUp });
    if (!rerun) deps.limiter.record(key);
    const nothingDone = error instanceof ActionError && error.nothingMade;
    return { ...report('failed', [describeFailure(error, gaveUp)]), ...(nothingDone && { nothingDone }) };
  }
  if (outcome.matched.length > 0) {
    if (!rerun) deps.limiter.record(key);
    const unknown = outcome.unknownUsers ?? [];
    const reasons = unknown.length > 0 ? [`could not find ${unknown.join(' or ')} in GitLab, so ${unknown.length === 1 ? 'that user was' : 'those users were'} left out; the rest was done`] : [];
    return { ...report('ran', reasons, outcome.calls), fired: outcome.matched };
  }

  const { event: known, facts } = outcome.state;
  const undecided = new Map(outcome.undecided.map(({ rule, reason }) => [rule, reason]));
  const reasons = rules.flatMap((rule) => (undecided.has(rule.name) ? [`could not check: ${undecided.get(rule.name)}`] : explainRule(rule, known, facts)));
  if (deps.offline && rules.every((rule) => undecided.has(rule.name))) return report('undecided', [...new Set(reasons)]);
  return report('refused', [...new Set(reasons)]);
}

/**
 * A reply to the command's note: in its thread when GitLab names it, and internal when the note is
 * (an internal note, or any note on a confidential issue), so nothing quoted from it becomes public.
 */
function replyCall(event: RuleEvent, path: string, body: string): ApiCall {
  const discussionId = event.command?.discussion_id ?? event.note?.discussion_id;
  const replyPath = discussionId ? `${path}/discussions/${discussionId}/notes` : `${path}/notes`;
  return { kind: 'note', method: 'POST', path: replyPath, body: event.note?.internal ? { body, internal: true } : { body }, rules: [] };
}

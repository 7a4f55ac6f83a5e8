// Runs the chat-ops commands of a new note: rate limit, built-in help, command rules, and a reply when refused.
import { executeCalls, processEvent, type ApiCall } from '../pipeline/index.js';
import type { CommandDeps, CommandReport } from './command-types.js';
import { noteablePath } from '../gitlab/index.js';
import { neutralize } from '../rules/template.js';
import type { Command, RuleEvent } from '../event/event.js';
import { explainRule } from './explain.js';
import { renderHelp } from './help.js';
import { runWhy } from './why.js';
import { parseCommands } from './parse.js';

export type { CommandDeps, CommandReport, CommandStatus } from './command-types.js';

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

  const refused = reports.filter((report) => report.status !== 'ran' && report.status !== 'help' && report.status !== 'why');
  const path = noteablePath(event.project.id, subject.type, subject.iid);
  const closing: ApiCall[] = [];
  const onlyLimited = refused.length > 0 && refused.every((report) => report.status === 'rate_limited');
  const explain = !onlyLimited || deps.limiter.shouldExplain(`${event.project.id}:${event.user.id}`);
  if (refused.length > 0 && explain) {
    const replyPath = note.discussion_id ? `${path}/discussions/${note.discussion_id}/notes` : `${path}/notes`;
    closing.push({ kind: 'note', method: 'POST', path: replyPath, body: { body: refusalText(event, refused, deps.botUsername) }, rules: [] });
  }
  // Reactions last and each emoji once: GitLab refuses a second identical award on one note.
  const emoji = new Set(reports.flatMap((report) => report.calls.flatMap((call) => (call.kind === 'reaction' ? [String(call.body['name'])] : []))));
  if (refused.length > 0) emoji.add(deps.refusedEmoji ?? 'no_entry_sign');
  for (const name of emoji) {
    closing.push({ kind: 'reaction', method: 'POST', path: `${path}/notes/${note.id}/award_emoji`, body: { name }, rules: [] });
  }
  await executeCalls(closing, { ...deps, effects: deps.effects && { ...deps.effects, scope: 'replies' } });
  for (const report of reports) deps.log.info('command', { command: report.command, status: report.status, reasons: report.reasons });
  return { reports, replies: closing };
}

async function runOne(event: RuleEvent, deps: CommandDeps, rerun: boolean): Promise<CommandReport> {
  const command = event.command!;
  // A job running its note again after a failure was already counted.
  const limit = rerun ? ({ allowed: true } as const) : deps.limiter.take(`${event.project.id}:${event.user.id}`);
  if (!limit.allowed) {
    const wait = Math.ceil(limit.retryInMs / 1000);
    const reason = `you have used ${limit.limit} commands in the last ${limit.windowMs / 1000} seconds on this project, the most allowed; try again in ${wait} s`;
    return { command: command.name, line: command.line, status: 'rate_limited', reasons: [reason], calls: [] };
  }
  if (command.name === 'help') {
    const subject = event.subject!;
    const path = noteablePath(event.project.id, subject.type, subject.iid);
    const replyPath = command.discussion_id ? `${path}/discussions/${command.discussion_id}/notes` : `${path}/notes`;
    const calls: ApiCall[] = [{ kind: 'note', method: 'POST', path: replyPath, body: { body: await renderHelp(event, deps, deps.botUsername!) }, rules: [] }];
    await executeCalls(calls, deps);
    return { command: 'help', line: command.line, status: 'help', reasons: [], calls };
  }
  if (command.name === 'why') return runWhy(event, deps);

  const rules = deps.rules.candidates(event).filter((rule) => rule.inProject(event.project.path_with_namespace));
  if (rules.length === 0) {
    return { command: command.name, line: command.line, status: 'unknown', reasons: [`\`${command.name}\` is not a command here`], calls: [] };
  }
  const outcome = await processEvent(event, deps, { rules, deferReactions: true });
  if (outcome.matched.length > 0) return { command: command.name, line: command.line, status: 'ran', reasons: [], calls: outcome.calls };

  const { event: known, facts } = outcome.state;
  const undecided = new Map(outcome.undecided.map(({ rule, reason }) => [rule, reason]));
  const reasons = rules.flatMap((rule) => (undecided.has(rule.name) ? [`could not check: ${undecided.get(rule.name)}`] : explainRule(rule, known, facts)));
  return { command: command.name, line: command.line, status: 'refused', reasons: [...new Set(reasons)], calls: [] };
}

/** The one reply to a note whose commands were refused. Text taken from the note is made inert. */
function refusalText(event: RuleEvent, refused: CommandReport[], botUsername: string): string {
  const lines = refused.map((report) => {
    // Shown as inline code, where GitLab neither mentions nor runs anything; only a backtick could end it.
    const line = report.line.replaceAll('`', "'");
    return `- \`${line}\`: ${report.reasons.map((reason) => neutralize(reason, false)).join('; ')}.`;
  });
  const what = refused.length === 1 ? 'this command' : 'these commands';
  // A payload without the commenter's username (older GitLab) gets the reply without a mention.
  const to = event.user.username ? `@${event.user.username}, I` : 'I';
  return [`${to} did not run ${what}:`, '', ...lines, '', `Write \`@${botUsername} help\` to see the commands you can use here.`].join('\n');
}

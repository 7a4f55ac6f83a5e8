// The one reply to a note whose commands were refused, failed or were done only in part; text from the note made inert.
import { ActionError, GitLabApiError } from '../errors.js';
import { neutralize } from '../rules/template.js';
import type { RuleEvent } from '../event/event.js';
import type { CommandReport } from './report.js';

/** Statuses that leave something unsaid without a reply. */
const REFUSED = new Set(['refused', 'unknown', 'rate_limited']);

/** Whether a report is answered in the note's reply. */
export function needsReply(report: CommandReport): boolean {
  return REFUSED.has(report.status) || report.status === 'failed' || (report.status === 'ran' && report.reasons.length > 0);
}

/**
 * The reply: refused commands first (with a pointer to `help`), then those GitLab refused, that gave
 * up, or that named users GitLab does not know.
 */
export function replyText(event: RuleEvent, reports: readonly CommandReport[], botUsername: string): string {
  const refused = reports.filter((report) => REFUSED.has(report.status));
  const unfinished = reports.filter((report) => !REFUSED.has(report.status) && needsReply(report));
  // A payload without the commenter's username (older GitLab) gets the reply without a mention.
  let to = event.user.username ? `@${event.user.username}, I` : 'I';
  const parts: string[] = [];
  if (refused.length > 0) {
    parts.push(`${to} did not run ${these(refused)}:`, '', ...refused.map(item), '');
    to = 'I';
  }
  // A command GitLab refused at its first action did nothing: not "all of" it.
  const undone = unfinished.filter((report) => report.nothingDone);
  const partly = unfinished.filter((report) => !report.nothingDone);
  if (undone.length > 0) {
    parts.push(`${to} could not do ${these(undone)}; nothing was done:`, '', ...undone.map(item), '');
    to = 'I';
  }
  if (partly.length > 0) parts.push(`${to} could not do all of ${these(partly)}:`, '', ...partly.map(item), '');
  if (refused.length > 0) parts.push(`Write \`@${botUsername} help\` to see the commands you can use here.`);
  return parts.join('\n').trimEnd();
}

/**
 * What failed, in words: `merge: GitLab refused (405): the pipeline has not succeeded`. `gaveUp` when a
 * failure that may pass is not retried any more.
 */
export function describeFailure(error: GitLabApiError, gaveUp: boolean): string {
  const what = error instanceof ActionError ? `${error.action}: ` : '';
  // GitLab's default messages repeat the status (`405 Method Not Allowed`).
  const detail = error.detail.startsWith(`${error.status} `) ? error.detail.slice(`${error.status} `.length) : error.detail;
  if (gaveUp && error.status === 0) return `${what}GitLab did not answer (${detail}); I gave up after retrying`;
  if (gaveUp) return `${what}GitLab kept failing (${error.status}): ${detail}; I gave up after retrying`;
  if (error.status === 0 || error.status === 200) return `${what}${detail}`;
  return `${what}GitLab refused (${error.status}): ${detail}`;
}

function these(reports: readonly CommandReport[]): string {
  return reports.length === 1 ? 'this command' : 'these commands';
}

function item(report: CommandReport): string {
  // Shown as inline code, where GitLab neither mentions nor runs anything; only a backtick could end it.
  const line = report.line.replaceAll('`', "'");
  return `- \`${line}\`: ${report.reasons.map((reason) => neutralize(reason, false)).join('; ')}.`;
}

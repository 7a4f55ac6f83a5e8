// What rulebot says about a configuration: the commit status and the merge request comment, in words safe to post.
import { neutralize } from '../rules/template.js';
import { sameProject, type ConfigProblem } from '../rules/index.js';

/** The name of rulebot's commit status about a project's rules. */
export const STATUS_NAME = 'rulebot/config';

/** Ends the comment rulebot keeps on a merge request about its rules, so that it can be found again. */
export const CONFIG_NOTE_MARKER = '<!-- rulebot:config-check -->';

/**
 * The problems a project's people may see: every problem in files of that project (or of RULES_DIR),
 * and for a preset of another project only how many it has. rulebot reads presets with its own token,
 * so a merge request must not show the text of a file its author may not be able to read.
 */
export function visibleProblems(problems: readonly ConfigProblem[], project: string): string[] {
  const shown: string[] = [];
  const hidden = new Map<string, number>();
  for (const problem of problems) {
    if (problem.project === undefined || sameProject(problem.project, project)) shown.push(problem.text);
    else hidden.set(problem.project, (hidden.get(problem.project) ?? 0) + 1);
  }
  for (const [other, count] of hidden) {
    shown.push(`${count} ${count === 1 ? 'problem' : 'problems'} in presets of ${other}, not shown here (the file belongs to another project): \`rulebot check --project ${project}\` lists them`);
  }
  return shown;
}

/** The comment listing every problem, as `rulebot check` prints them. */
export function problemsComment(options: { file: string; sha: string; project: string; problems: readonly ConfigProblem[] }): string {
  const lines = visibleProblems(options.problems, options.project);
  const count = options.problems.length;
  return [
    `:x: rulebot cannot use \`${options.file}\` as of ${options.sha.slice(0, 8)}: ${count} ${count === 1 ? 'problem' : 'problems'}.`,
    '',
    '```text',
    // One line each, and nothing in them can end the code block, mention anyone or run a quick action.
    ...lines.map((line) => neutralize(line, true).replaceAll('```', "'''")),
    '```',
    '',
    `Until the file on the default branch is valid, this project keeps the rules it has now. \`rulebot check ${options.file}\` lists the same problems before you push.`,
    '',
    CONFIG_NOTE_MARKER,
  ].join('\n');
}

/** What the comment becomes once the merge request's file is valid again. */
export function fixedComment(options: { file: string; sha: string; rules: number }): string {
  return [
    `:white_check_mark: \`${options.file}\` is valid as of ${options.sha.slice(0, 8)} (${options.rules} ${options.rules === 1 ? 'rule' : 'rules'}): the problems listed here before are fixed.`,
    '',
    CONFIG_NOTE_MARKER,
  ].join('\n');
}

/** The status description: the first problem (GitLab keeps 255 characters), or what is valid. */
export function statusDescription(options: { file: string; project: string; problems: readonly ConfigProblem[]; rules: number; present: boolean }): string {
  if (!options.present) return `no ${options.file}: only the central rules apply`;
  if (options.problems.length === 0) return `${options.file} is valid: ${options.rules} ${options.rules === 1 ? 'rule' : 'rules'}`;
  const first = visibleProblems(options.problems, options.project)[0] ?? '';
  return options.problems.length > 1 ? `(1 of ${options.problems.length}) ${first}` : first;
}

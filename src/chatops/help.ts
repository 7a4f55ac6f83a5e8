// The built-in `help` command: the commands the asking user may run here, from the rule files.
import { decideRules, readFact, type ProcessDeps } from '../pipeline/index.js';
import { ACCESS_LEVELS, type Condition, type Facts, type Role, type Rule } from '../rules/index.js';
import type { RuleEvent } from '../event/event.js';

/**
 * Lists every command whose rules would let this user run it on this merge request or issue, judged
 * as for a real command but whatever the arguments; the argument rules are shown instead.
 */
export async function renderHelp(event: RuleEvent, deps: ProcessDeps & { whyAccess?: Role }, botUsername: string): Promise<string> {
  const byCommand = new Map<string, Rule[]>();
  for (const rule of deps.rules.rules) {
    if (!rule.inProject(event.project.path_with_namespace)) continue;
    for (const name of rule.on) {
      if (!name.startsWith('command.')) continue;
      const command = name.slice('command.'.length);
      byCommand.set(command, [...(byCommand.get(command) ?? []), rule]);
    }
  }
  const rows: string[] = [];
  for (const [name, rules] of byCommand) {
    const probe: RuleEvent = { ...event, names: ['command', `command.${name}`], command: { ...event.command!, name, args: [] } };
    const { matched } = await decideRules(probe, deps, { rules, ignoreArgs: true });
    if (matched.length > 0) rows.push(`| \`@${botUsername} ${name}\` | ${describeArgs(matched[0]!.when?.args)} |`);
  }
  if (await mayAskWhy(event, deps)) rows.push(`| \`@${botUsername} why\` | none: the last events here, and why each rule fired or not |`);
  rows.push(`| \`@${botUsername} help\` | none: shows this list |`);
  return [
    `Commands you can use on this ${event.subject?.type === 'issue' ? 'issue' : 'merge request'}, each on a line of its own:`,
    '',
    '| command | arguments |',
    '|---|---|',
    ...rows,
  ].join('\n');
}

function describeArgs(args: Condition['args']): string {
  if (!args) return 'any';
  const { only, min, max } = args;
  const amount =
    min !== undefined && max !== undefined ? (min === max ? `${min}` : `${min} to ${max}`)
    : min !== undefined ? `${min} or more`
    : max !== undefined ? `at most ${max}`
    : 'any number';
  if (max === 0) return 'none';
  return only ? `${amount} of: ${only.map((pattern) => `\`${pattern}\``).join(', ')}` : `${amount}`;
}

/** Whether the asking user has the role `why` needs (read once; the membership is cached a minute). */
async function mayAskWhy(event: RuleEvent, deps: ProcessDeps & { whyAccess?: Role }): Promise<boolean> {
  const state: { event: RuleEvent; facts: Facts } = { event, facts: {} };
  if (await readFact('access', state, deps)) return false;
  return (state.facts.accessLevel ?? 0) >= ACCESS_LEVELS[deps.whyAccess ?? 'developer'];
}

// The human-readable report of the chat-ops benchmark: GitLab calls per command against the target.
import { table, verdict } from './format.js';
import type { ChatOpsResult, ChatOpsRun } from './chatops.js';

/** Met when a command costs no more than its look-ups and effects, and nothing else. */
export function chatOpsMet(run: ChatOpsRun): boolean {
  const { target } = run.scenario;
  return run.lookups <= target.lookups && run.effects <= target.effects && run.other === 0;
}

export function reportChatOps(result: ChatOpsResult): string[] {
  const rows = [
    ['command', 'calls', 'target', 'look-ups', 'effects', 'other', 'ms', 'verdict'],
    ...result.runs.map((run) => [
      run.scenario.name,
      String(run.calls.length),
      String(run.scenario.target.lookups + run.scenario.target.effects),
      String(run.lookups),
      String(run.effects),
      String(run.other),
      run.ms.toFixed(1),
      verdict(chatOpsMet(run)),
    ]),
  ];
  const met = result.runs.filter(chatOpsMet).length;
  return [
    '## Chat-ops API calls: note webhooks to the real server, shipped rules/commands.yml, calls counted by the fake GitLab',
    'target: one membership look-up per user per cache window (60 s), one call per effect (label edit, reply, reaction), nothing else.',
    ...table(rows),
    ...result.runs.flatMap((run) => [
      `${run.scenario.name}: target ${run.scenario.target.lookups} look-up(s) + ${run.scenario.target.effectsAre}; made:`,
      `  ${run.calls.join(', ') || '(none)'}`,
    ]),
    `target met for ${met} of ${result.runs.length} commands`,
  ];
}

// The human-readable report of the soak benchmark: exactly-once verdicts, latency, throughput, memory.
import { count, table, verdict } from './format.js';
import { CLIENT_TIMEOUT_MS, SLOW_DELAY_MS } from './soak-faults.js';
import { BUDGET_PER_MINUTE, type SoakResult } from './soak.js';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const seconds = (ms: number) => (Math.abs(ms) < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`);

/** Exactly-once held: nothing duplicated, lost or garbled, and the queue drained. */
export function soakMet(result: SoakResult): boolean {
  const { duplicated, lost, wrongComment } = result.outcome;
  return duplicated === 0 && lost === 0 && wrongComment === 0 && result.drainS !== undefined;
}

export function reportSoak(result: SoakResult): string[] {
  const { options, send, outcome, child, calls } = result;
  const faults = Object.entries(result.faults).map(([kind, n]) => `${n} × ${kind}`).join(', ');
  const latency = (name: string, events: number, summary: typeof outcome.latencyMs) =>
    events === 0 ? [name, '0', '', '', '', ''] : [name, count(events), seconds(summary.p50), seconds(summary.p90), seconds(summary.p99), seconds(summary.max)];
  const others = Object.entries(send.otherStatuses).map(([status, n]) => `${n} × ${status === '0' ? 'no answer' : status}`).join(', ');
  return [
    `## Soak: ${count(options.events)} merge_request.open webhooks at ${options.rate}/s over ${options.projects} projects, ` +
      `${(options.faultRate * 100).toFixed(1)}% of merge requests meeting a GitLab fault; the real server in a child process`,
    `rulebot: QUEUE_CONCURRENCY ${options.concurrency ?? 'default (4)'}, request and note budgets ${count(BUDGET_PER_MINUTE)}/min (not what is measured), ` +
      `GitLab client timeout ${CLIENT_TIMEOUT_MS / 1000} s; src/ digest ${result.srcDigest}`,
    `faults injected: ${faults} (slow: answered after ${SLOW_DELAY_MS / 1000} s)`,
    `sent ${count(send.attempted)} in ${send.seconds.toFixed(1)} s (${send.achievedRate.toFixed(0)}/s), ${count(send.acknowledged)} answered 202` +
      `${others ? ` (${others})` : ''}; time to 202: p50 ${send.answerMs.p50.toFixed(0)} ms, p99 ${send.answerMs.p99.toFixed(0)} ms, max ${send.answerMs.max.toFixed(0)} ms`,
    ...table([
      ['acknowledged', 'completed', 'dead letters', 'duplicated', 'lost', 'wrong comment', 'exactly once'],
      [outcome.acknowledged, outcome.completed, outcome.deadLettered, outcome.duplicated, outcome.lost, outcome.wrongComment]
        .map(count)
        .concat(verdict(soakMet(result))),
    ]),
    '',
    'event-to-action latency: from the 202 to the fake GitLab receiving the last call about that merge request',
    ...table([
      ['completed events', 'count', 'p50', 'p90', 'p99', 'max'],
      latency('all', outcome.completed, outcome.latencyMs),
      latency('merge request met a fault', outcome.faultedCompleted, outcome.latencyFaultedMs),
      latency('no fault on it', outcome.completed - outcome.faultedCompleted, outcome.latencyCleanMs),
    ]),
    '',
    `throughput: ${outcome.completed > 0 ? result.throughput.toFixed(1) : '0'} completed events/s from the first webhook to the last action; ` +
      `${outcome.completed > outcome.faultedCompleted ? result.cleanThroughput.toFixed(1) : '0'} /s counting only merge requests that met no fault, to the last of their actions; ` +
      (result.drainS === undefined
        ? `queue NOT drained within ${options.drainTimeoutS} s (depth ${result.status.depth}): "lost" counts the events still queued`
        : `queue drained ${result.drainS.toFixed(1)} s after the last 202`),
    `GitLab calls: ${count(calls.total)} (${count(calls.put)} PUT, ${count(calls.postNote)} POST notes, ${count(calls.getNotes)} GET notes, ${count(calls.other)} other) ` +
      `for a minimum of ${count(2 * outcome.completed)}`,
    `rulebot process: RSS ${mib(child.memory.startBytes)} at start, peak ${mib(Math.max(child.memory.highWaterBytes, child.memory.sampledPeakBytes))} ` +
      `(VmHWM; highest 200 ms sample ${mib(child.memory.sampledPeakBytes)}), ${mib(child.memory.drainedBytes)} once drained; CPU ${seconds(child.cpuMs)}`,
    `rulebot log: ${Object.entries(child.logs.byMessage).map(([message, n]) => `${count(n)} × ${message}`).join(', ')}`,
    `wall time ${result.wallS.toFixed(1)} s`,
    ...result.deadLetters.slice(0, 5).map((line) => `dead letter: ${line}`),
    ...result.outcome.anomalies.flatMap((anomaly) => [
      `${anomaly.problem.toUpperCase()}: ${anomaly.key} (merge request ${anomaly.mergeRequest}): labels ${JSON.stringify(anomaly.labels)}, ` +
        `${anomaly.comments.length} comment(s)`,
      ...anomaly.log.map((line) => `  ${line}`),
    ]),
    ...(result.keptLog ? [`rulebot's log kept in ${result.keptLog}`] : []),
  ];
}

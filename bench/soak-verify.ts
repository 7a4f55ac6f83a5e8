// Soak benchmark: what GitLab shows afterwards for each acknowledged event — done once, twice, not at all, or a dead letter.
import type { FakeGitLab } from '../test/support/fake-gitlab.js';
import { withoutMarker } from '../test/support/events.js';
import { BOT, mergeRequestKey } from './soak-gitlab.js';
import type { Delivery } from './soak-send.js';
import { latencySummary } from './stats.js';

export const LABEL = 'triaged';
export const commentFor = (iid: number) => `Thanks for !${iid}.`;

/** One event whose outcome is wrong, with what GitLab shows for its merge request. */
export interface Anomaly {
  key: string;
  mergeRequest: string;
  problem: 'duplicated' | 'lost' | 'wrong comment' | 'label missing';
  labels: string[];
  comments: string[];
}

export interface SoakOutcome {
  acknowledged: number;
  /** Label present and exactly one comment, with the expected text. */
  completed: number;
  deadLettered: number;
  /** Acknowledged events whose merge request got more than one comment. */
  duplicated: number;
  /** Acknowledged events with no comment (or no label) that are not dead letters either. */
  lost: number;
  /** Acknowledged events with one comment, not the one the rule writes. */
  wrongComment: number;
  anomalies: Anomaly[];
  /** From each 202 to the fake receiving the last call about that merge request, in ms. */
  latencyMs: ReturnType<typeof latencySummary>;
  /** The same, for the events whose merge request met a fault, and for the others. */
  latencyFaultedMs: ReturnType<typeof latencySummary>;
  latencyCleanMs: ReturnType<typeof latencySummary>;
  /** Completed events whose merge request met a fault. */
  faultedCompleted: number;
  /** Time of the last call about any completed event (`Date.now()`), for the throughput. */
  lastActionAt: number;
  /** The same for the events whose merge request met no fault: what the stream's throughput is read from. */
  lastCleanActionAt: number;
}

/**
 * Checks every acknowledged (202) event against the fake's live state. `deadLetterKeys` are the
 * Idempotency-Keys of the dead letters, `faulted` the merge requests that met an injected fault.
 */
export function verifySoak(
  gitlab: FakeGitLab,
  deliveries: readonly Delivery[],
  lastCall: ReadonlyMap<string, number>,
  deadLetterKeys: ReadonlySet<string>,
  faulted: ReadonlySet<string>,
): SoakOutcome {
  const anomalies: Anomaly[] = [];
  const latencies = { all: [] as number[], faulted: [] as number[], clean: [] as number[] };
  let completed = 0;
  let deadLettered = 0;
  let lastActionAt = 0;
  let lastCleanActionAt = 0;
  const acknowledged = deliveries.filter((delivery) => delivery.status === 202);
  for (const delivery of acknowledged) {
    const { projectId, iid } = delivery.mergeRequest;
    const key = mergeRequestKey(projectId, iid);
    const labels = gitlab.mergeRequest(projectId, iid)?.labels ?? [];
    const comments = gitlab.notes(projectId, 'MergeRequest', iid).filter((note) => note.author_id === BOT.id).map((note) => withoutMarker(note.body));
    const anomaly = (problem: Anomaly['problem']) => anomalies.push({ key: delivery.key, mergeRequest: key, problem, labels, comments });
    if (deadLetterKeys.has(delivery.key)) {
      deadLettered++;
      if (comments.length > 1) anomaly('duplicated');
      continue;
    }
    if (comments.length > 1) anomaly('duplicated');
    else if (comments.length === 0) anomaly('lost');
    else if (comments[0] !== commentFor(iid)) anomaly('wrong comment');
    else if (!labels.includes(LABEL)) anomaly('label missing');
    else {
      completed++;
      const at = lastCall.get(key) ?? delivery.answeredAt;
      lastActionAt = Math.max(lastActionAt, at);
      if (!faulted.has(key)) lastCleanActionAt = Math.max(lastCleanActionAt, at);
      // The fake and the sender share this process's event loop: with no backlog the fake may read the
      // last call before the sender reads the 202. That counts as 0.
      const latency = Math.max(0, at - delivery.answeredAt);
      latencies.all.push(latency);
      (faulted.has(key) ? latencies.faulted : latencies.clean).push(latency);
    }
  }
  const count = (problem: Anomaly['problem']) => anomalies.filter((anomaly) => anomaly.problem === problem).length;
  return {
    acknowledged: acknowledged.length,
    completed,
    deadLettered,
    duplicated: count('duplicated'),
    lost: count('lost') + count('label missing'),
    wrongComment: count('wrong comment'),
    anomalies,
    latencyMs: latencySummary(latencies.all),
    latencyFaultedMs: latencySummary(latencies.faulted),
    latencyCleanMs: latencySummary(latencies.clean),
    faultedCompleted: latencies.faulted.length,
    lastActionAt,
    lastCleanActionAt,
  };
}

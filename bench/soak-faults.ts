// Soak benchmark: which merge requests meet a GitLab fault, of which kind, and injecting those faults into the fake.
import type { Fault, FakeGitLab } from '../test/support/fake-gitlab.js';
import { mulberry32 } from './random.js';

/**
 * rulebot's GitLab client gives up on an attempt after `GITLAB_TIMEOUT_SECONDS`, 30 s by default,
 * which the soak keeps. A slow answer must outlast that.
 */
export const CLIENT_TIMEOUT_MS = 30_000;
/**
 * A slow answer comes 1 s after the client gave up; the fake then carries the request out, as GitLab
 * would. rulebot looks for a comment whose POST got no answer only 65 s later, after GitLab's own
 * request limit, so the comment is found and not posted twice (docs/benchmarks.md, "Soak").
 */
export const SLOW_DELAY_MS = CLIENT_TIMEOUT_MS + 1_000;

export type FaultKind = '500' | '502' | '429 Retry-After' | '429' | 'reset' | 'slow';

interface FaultShape {
  kind: FaultKind;
  /** Share of the faulted merge requests that get this kind. */
  share: number;
  fault: Omit<Fault, 'path' | 'method'>;
}

/**
 * The mix; each fault answers one call, once. Two kinds are rarer on purpose, because each one costs
 * far more than the others: a 429 with `Retry-After` pauses every GitLab call rulebot makes (rightly:
 * GitLab's limits are per user), and a slow answer holds a queue worker, and its project's later
 * events, for the client's 30 s.
 */
export const FAULT_MIX: readonly FaultShape[] = [
  { kind: '500', share: 0.25, fault: { status: 500 } },
  // A proxy's page, not GitLab's JSON.
  { kind: '502', share: 0.2, fault: { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' } },
  { kind: '429 Retry-After', share: 0.05, fault: { status: 429, headers: { 'retry-after': '1' } } },
  { kind: '429', share: 0.2, fault: { status: 429 } },
  { kind: 'reset', share: 0.25, fault: { reset: true } },
  { kind: 'slow', share: 0.05, fault: { delayMs: SLOW_DELAY_MS } },
];

/** One injected fault: on the merge request's label `PUT` or on its comment `POST`. */
export interface PlannedFault {
  projectId: number;
  iid: number;
  kind: FaultKind;
  call: 'PUT' | 'POST note';
}

/**
 * Picks `rate` of the merge requests at random (seeded, so every run faults the same ones), each with
 * one fault kind drawn from the mix, on one of its two calls.
 */
export function planFaults(mergeRequests: readonly { projectId: number; iid: number }[], rate: number, seed: number): PlannedFault[] {
  const random = mulberry32(seed);
  const planned: PlannedFault[] = [];
  for (const { projectId, iid } of mergeRequests) {
    if (random() >= rate) continue;
    planned.push({ projectId, iid, kind: pickKind(random()), call: random() < 0.5 ? 'PUT' : 'POST note' });
  }
  return planned;
}

/**
 * Injects the faults, each on an exact path, so it answers that merge request's first matching
 * call(s) only. The fake looks through pending faults in order of injection; used ones drop out.
 */
export function injectFaults(gitlab: FakeGitLab, planned: readonly PlannedFault[]): void {
  for (const { projectId, iid, kind, call } of planned) {
    const shape = FAULT_MIX.find((candidate) => candidate.kind === kind)!;
    const mergeRequest = `/projects/${projectId}/merge_requests/${iid}`;
    const target = call === 'PUT' ? { method: 'PUT', path: mergeRequest } : { method: 'POST', path: `${mergeRequest}/notes` };
    gitlab.inject({ ...shape.fault, ...target });
  }
}

/** How many planned faults there are of each kind, in the mix's order. */
export function countByKind(planned: readonly PlannedFault[]): Record<FaultKind, number> {
  const counts = Object.fromEntries(FAULT_MIX.map(({ kind }) => [kind, 0])) as Record<FaultKind, number>;
  for (const { kind } of planned) counts[kind]++;
  return counts;
}

function pickKind(roll: number): FaultKind {
  let total = 0;
  for (const { kind, share } of FAULT_MIX) {
    total += share;
    if (roll < total) return kind;
  }
  return FAULT_MIX.at(-1)!.kind;
}

// Soak benchmark: the fake GitLab, seeded with one merge request per event, and a clock of the calls it receives.
import { FakeGitLab, type RecordedRequest } from '../test/support/fake-gitlab.js';

export const TOKEN = 'test-token';
export const BOT = { id: 99, username: 'rulebot', name: 'rulebot' };

/** One merge request, the subject of exactly one `merge_request.open` event. */
export interface SoakMergeRequest {
  projectId: number;
  path: string;
  iid: number;
}

/**
 * `count` merge requests over `projects` projects, in the order their events are sent: round robin
 * over the projects, so that every project gets a steady share of the stream.
 */
export function soakMergeRequests(count: number, projects: number): SoakMergeRequest[] {
  return Array.from({ length: count }, (_, n) => {
    const projectId = (n % projects) + 1;
    return { projectId, path: `soak/project-${projectId}`, iid: Math.floor(n / projects) + 1 };
  });
}

/** A fake GitLab holding the projects and merge requests, not started yet. */
export function seedGitLab(mergeRequests: readonly SoakMergeRequest[]): FakeGitLab {
  // The fake counts its rate limit down and never refills it; at 0 rulebot would rightly pause until the reset.
  const gitlab = new FakeGitLab({ token: TOKEN, botUser: BOT, rateLimit: 1_000_000_000 });
  const seen = new Set<number>();
  for (const { projectId, path, iid } of mergeRequests) {
    if (!seen.has(projectId)) gitlab.addProject({ id: projectId, path_with_namespace: path });
    seen.add(projectId);
    gitlab.addMergeRequest({ project_id: projectId, iid, labels: [] });
  }
  return gitlab;
}

/** `"<project id>/<iid>"`, the key of a merge request in the maps below. */
export function mergeRequestKey(projectId: number, iid: number): string {
  return `${projectId}/${iid}`;
}

const MERGE_REQUEST_PATH = /^\/projects\/(\d+)\/merge_requests\/(\d+)(?:\/|$)/;

/**
 * The time (`Date.now()`) the fake received the last call about each merge request, by
 * `mergeRequestKey`. The fake records requests without a time, so the recording is wrapped: every
 * request is pushed onto `gitlab.requests` as soon as it has been read, before any fault or delay.
 */
export function clockArrivals(gitlab: FakeGitLab): Map<string, number> {
  const lastCall = new Map<string, number>();
  const requests = gitlab.requests;
  const push = requests.push.bind(requests);
  requests.push = (...recorded: RecordedRequest[]) => {
    const now = Date.now();
    for (const request of recorded) {
      const match = MERGE_REQUEST_PATH.exec(request.path);
      if (match) lastCall.set(mergeRequestKey(Number(match[1]), Number(match[2])), now);
    }
    return push(...recorded);
  };
  return lastCall;
}

// Commit statuses set through the API, as GitLab keeps them: a running or pending one is updated, a finished one replaced.

import type { FakeCommitStatus } from './types.js';

export type CommitStatusState = FakeCommitStatus['status'];

/** The state machine event GitLab fires for each state asked for (Ci::CreateCommitStatusService). */
const EVENT: Record<CommitStatusState, string> = {
  pending: 'enqueue',
  running: 'run',
  success: 'success',
  failed: 'drop',
  canceled: 'cancel',
  skipped: 'skip',
};

export class CommitStatuses {
  private readonly statuses: FakeCommitStatus[] = [];
  private nextId = 50_001;

  /**
   * Sets a status: one still pending or running with the same name, commit and ref is moved on;
   * otherwise a new one is made (a finished status is never changed, a new one supersedes it). Asking
   * for the state it is already in is refused, as GitLab's state machine refuses it.
   */
  set(status: Omit<FakeCommitStatus, 'id'>): FakeCommitStatus | { refused: string } {
    const open = this.statuses.find(
      (candidate) =>
        candidate.project_id === status.project_id && candidate.sha === status.sha && candidate.ref === status.ref &&
        candidate.name === status.name && (candidate.status === 'pending' || candidate.status === 'running'),
    );
    if (open) {
      if (open.status === status.status) {
        const event = EVENT[status.status];
        return { refused: `Cannot transition status via :${event} from :${open.status} (Reason(s): Status cannot transition via "${event}")` };
      }
      Object.assign(open, { status: status.status, description: status.description ?? open.description, target_url: status.target_url ?? open.target_url });
      return open;
    }
    const created: FakeCommitStatus = { ...status, id: this.nextId++ };
    this.statuses.push(created);
    return created;
  }

  /** Statuses of one project (and commit), oldest first. */
  list(projectId: number, sha?: string): FakeCommitStatus[] {
    return this.statuses.filter((status) => status.project_id === projectId && (sha === undefined || status.sha === sha)).map((status) => ({ ...status }));
  }
}

// Persistence behind one interface: accepted events until they are done, deliveries seen, effects made, schedule runs.

/** An accepted event, kept until its actions completed or failed for good. */
export interface StoredJob {
  /** The id answered to GitLab. */
  id: string;
  project_id: number;
  /** The webhook body as received; normalised again when the job runs. */
  payload: string;
  event_uuid: string | undefined;
  received_at: number;
  /** Attempts that failed so far. */
  attempts: number;
  /** Earliest time of the next attempt (epoch ms). */
  next_attempt_at: number;
  last_error: string | undefined;
}

export interface DeadLetter {
  job: StoredJob;
  reason: string;
  failed_at: number;
}

export interface QueueStats {
  /** Accepted events not finished yet (waiting, running or waiting for a retry). */
  depth: number;
  oldest_pending_at: number | undefined;
  dead_letters: number;
  last_error: { job: string; message: string; at: number } | undefined;
}

export interface Store {
  /**
   * Accepts a delivery: records its key (if it has one) and the job in one step. Resolves false,
   * storing nothing, when the key was seen within the retention window (a re-sent delivery).
   */
  acceptDelivery(key: string | undefined, job: StoredJob): Promise<boolean>;
  /** The ids of every job not finished, in order: cheap enough to poll while thousands are queued. */
  unfinishedJobIds(): Promise<string[]>;
  /** One stored job, if it is not finished. */
  job(id: string): Promise<StoredJob | undefined>;
  finishJob(id: string): Promise<void>;
  /** Records a failed attempt and when to try again. */
  retryJobLater(id: string, nextAttemptAt: number, error: string): Promise<void>;
  /** Moves a job that failed for good to the dead letters, with the reason. */
  deadLetter(id: string, reason: string): Promise<void>;
  /** The dead letters, oldest first; `payloads: false` leaves their payloads out (empty), for listings. */
  deadLetters(options?: { payloads?: boolean }): Promise<DeadLetter[]>;
  /**
   * Puts a dead letter back in the queue, as a fresh job accepted now (so it gets a full retry window);
   * resolves the job, or undefined if unknown.
   */
  reviveDeadLetter(id: string): Promise<StoredJob | undefined>;
  queueStats(): Promise<QueueStats>;
  /**
   * Claims `key` for `owner` (a job id), once and atomically: `new` the first time, `own` when the
   * same owner claims it again (a retried job), `taken` when another owner holds it within the
   * retention window (another delivery of the same note).
   */
  claim(key: string, owner: string): Promise<'new' | 'own' | 'taken'>;
  /** When an effect of a job (a comment, an edit) was recorded, if it was. */
  effectTime(jobId: string, effect: string): Promise<number | undefined>;
  recordEffect(jobId: string, effect: string): Promise<void>;
  /** When the schedule rule last started a run (epoch ms), if it ever did. */
  lastScheduleRun(rule: string): Promise<number | undefined>;
  recordScheduleRun(rule: string, at: number): Promise<void>;
  /** A small named value kept across restarts (credential state, the webhook's last check); undefined when unset. */
  value(key: string): Promise<string | undefined>;
  /**
   * Sets `key` to `next` (undefined removes it) only if it holds `expected` now (undefined: unset),
   * atomically across processes and isolates; resolves false, changing nothing, when it holds anything else.
   */
  swapValue(key: string, expected: string | undefined, next: string | undefined): Promise<boolean>;
  close(): Promise<void>;
}

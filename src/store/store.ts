// Persistence behind one interface: accepted events until they are done, deliveries seen, effects made, schedule runs, decision records.
import type { DecisionInput, DecisionPage, DecisionQuery, DecisionRecord } from './decision-record.js';

/** An accepted event, kept until its actions completed or failed for good. */
export interface StoredJob {
  /** The id answered to GitLab. */
  id: string;
  project_id: number;
  /** The webhook body as received; normalised again when the job runs. */
  payload: string;
  event_uuid: string | undefined;
  received_at: number;
  /**
   * Attempts that failed so far. In a dead letter: every attempt made, the one that failed for good
   * included (what `GET /dead-letters` and `rulebot dead-letters` show).
   */
  attempts: number;
  /**
   * When the event's first attempt began (epoch ms), unset until one has. The give-up window counts
   * from here rather than from `received_at`, so that waiting in a backlog is not counted as failing;
   * and no comment one of its attempts posted can be older. A dead letter put back keeps it.
   */
  first_attempt_at?: number | undefined;
  /** Earliest time of the next attempt (epoch ms). */
  next_attempt_at: number;
  last_error: string | undefined;
}

/** What a job's attempts came to when it leaves the queue for the dead letters. */
export interface AttemptsMade {
  /** Attempts made, the one that failed for good included. */
  attempts: number;
  /** When the first of them began, if one did. */
  first_attempt_at: number | undefined;
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
  /**
   * Records a failed attempt and when to try again, and (unless one is recorded already) when the
   * job's first attempt began.
   */
  retryJobLater(id: string, nextAttemptAt: number, error: string, firstAttemptAt: number): Promise<void>;
  /** Moves a job that failed for good to the dead letters, with the reason and the attempts it had. */
  deadLetter(id: string, reason: string, made: AttemptsMade): Promise<void>;
  /** The dead letters, oldest first; `payloads: false` leaves their payloads out (empty), for listings. */
  deadLetters(options?: { payloads?: boolean }): Promise<DeadLetter[]>;
  /**
   * Puts a dead letter back in the queue, as a job accepted now with no attempts (so it gets a full
   * retry window), keeping when its first attempt began (its earlier attempts' comments are looked
   * for from then); resolves the job, or undefined if unknown.
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
  /**
   * Records what was decided for an event or a schedule run (see DecisionTables.record). Jobs moved to
   * a retry or to the dead letters (`retryJobLater`, `deadLetter`, `reviveDeadLetter`) update their
   * record's outcome themselves. `firstAttempt`: no record with this id can exist yet (a first
   * attempt, a new delivery), so none is looked for.
   */
  recordDecision(record: DecisionInput, options?: { firstAttempt?: boolean }): Promise<void>;
  /** Decision records, newest first, filtered and paged. */
  decisions(query: DecisionQuery): Promise<DecisionPage>;
  /** One decision record by event id. */
  decision(id: string): Promise<DecisionRecord | undefined>;
  /**
   * Whether a write would be committed now, for readiness: a store on a disk can still be read when
   * it can no longer write (the disk is full, the volume turned read-only). Stores without such a
   * failure of their own leave it out.
   */
  writable?(): Promise<boolean>;
  /** A small named value kept across restarts (credential state, the webhook's last check); undefined when unset. */
  value(key: string): Promise<string | undefined>;
  /**
   * Sets `key` to `next` (undefined removes it) only if it holds `expected` now (undefined: unset),
   * atomically across processes and isolates; resolves false, changing nothing, when it holds anything else.
   */
  swapValue(key: string, expected: string | undefined, next: string | undefined): Promise<boolean>;
  close(): Promise<void>;
}

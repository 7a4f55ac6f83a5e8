// Counts the end of every event attempt where it is decided: as the store records it.
import type { Store } from '../store/index.js';
import type { Metrics } from './metrics.js';

/**
 * The store, counting outcomes as they are recorded: a decision recorded `done`, `ignored` or
 * `duplicate`, an attempt moved to a retry, a job moved to the dead letters. Both runtimes' queues
 * end every attempt through one of these, so no queue needs to count.
 */
export function countOutcomes(store: Store, metrics: Metrics): Store {
  return {
    ...bind(store),
    async recordDecision(record, options) {
      await store.recordDecision(record, options);
      if (record.outcome === 'done' || record.outcome === 'ignored' || record.outcome === 'duplicate') {
        if (record.event !== 'schedule') metrics.eventProcessed(record.outcome);
      }
    },
    async retryJobLater(id, nextAttemptAt, error) {
      await store.retryJobLater(id, nextAttemptAt, error);
      metrics.eventProcessed('retrying');
    },
    async deadLetter(id, reason) {
      await store.deadLetter(id, reason);
      metrics.eventProcessed('dead_letter');
    },
  };
}

/** Every method of the store, bound to it (a class's methods live on its prototype, not its own keys). */
function bind(store: Store): Store {
  return {
    acceptDelivery: (key, job) => store.acceptDelivery(key, job),
    unfinishedJobIds: () => store.unfinishedJobIds(),
    job: (id) => store.job(id),
    finishJob: (id) => store.finishJob(id),
    retryJobLater: (id, at, error) => store.retryJobLater(id, at, error),
    deadLetter: (id, reason) => store.deadLetter(id, reason),
    deadLetters: (options) => store.deadLetters(options),
    reviveDeadLetter: (id) => store.reviveDeadLetter(id),
    queueStats: () => store.queueStats(),
    claim: (key, owner) => store.claim(key, owner),
    effectTime: (jobId, effect) => store.effectTime(jobId, effect),
    recordEffect: (jobId, effect) => store.recordEffect(jobId, effect),
    lastScheduleRun: (rule) => store.lastScheduleRun(rule),
    recordScheduleRun: (rule, at) => store.recordScheduleRun(rule, at),
    recordDecision: (record, options) => store.recordDecision(record, options),
    decisions: (query) => store.decisions(query),
    decision: (id) => store.decision(id),
    close: () => store.close(),
  };
}

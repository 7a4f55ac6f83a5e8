// Counts the end of every event attempt where it is decided: as the store records it.
import type { Store } from '../store/index.js';
import type { Metrics } from './metrics.js';

/**
 * The store, counting outcomes as they are recorded: a decision recorded `done`, `ignored` or
 * `duplicate`, an attempt moved to a retry, a job moved to the dead letters. Both runtimes' queues
 * end every attempt through one of these, so no queue needs to count.
 */
export function countOutcomes<S extends Store>(store: S, metrics: Metrics): S {
  const overrides: Partial<Store> = {
    async recordDecision(record, options) {
      await store.recordDecision(record, options);
      if (record.outcome === 'done' || record.outcome === 'ignored' || record.outcome === 'duplicate') {
        if (record.event !== 'schedule') metrics.eventProcessed(record.outcome);
      }
    },
    async retryJobLater(id, nextAttemptAt, error, firstAttemptAt) {
      await store.retryJobLater(id, nextAttemptAt, error, firstAttemptAt);
      metrics.eventProcessed('retrying');
    },
    async deadLetter(id, reason, made) {
      await store.deadLetter(id, reason, made);
      metrics.eventProcessed('dead_letter');
    },
  };
  // Every other method, the optional ones and any added later included, is the store's own.
  return new Proxy(store, {
    get(target, property, receiver) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof Store];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

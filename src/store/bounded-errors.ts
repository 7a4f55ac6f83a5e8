// A Store whose recorded errors (a job's last error, a dead letter's reason, a decision record's reason) are at most 2 KB and free of secrets.
import { createTextCleaner } from '../bounded-text.js';
import type { DeadLetter, QueueStats, Store } from './store.js';

/**
 * Wraps `store` so that every error text it records, and every one it hands out, is redacted of `secrets`
 * and cut to 2 KB (see boundText). GitLab's error bodies are already bounded where they are read; this
 * holds for any message (a store's own error, a thrown TypeError) and for rows recorded before.
 *
 * @example
 * const store = withBoundedErrors(new SqliteStore(dir), secretValues(config));
 */
export function withBoundedErrors<S extends Store>(store: S, secrets: readonly string[]): S {
  const clean = createTextCleaner(secrets);
  const cleanLetter = (letter: DeadLetter): DeadLetter => {
    const lastError = letter.job.last_error;
    return { ...letter, reason: clean(letter.reason), job: { ...letter.job, last_error: lastError === undefined ? undefined : clean(lastError) } };
  };
  const overrides: Partial<Store> = {
    retryJobLater: (id, nextAttemptAt, error, firstAttemptAt) => store.retryJobLater(id, nextAttemptAt, clean(error), firstAttemptAt),
    deadLetter: (id, reason, made) => store.deadLetter(id, clean(reason), made),
    deadLetters: async (options) => (await store.deadLetters(options)).map(cleanLetter),
    // A failed attempt's record gives its error as the reason (the record bounds it further).
    recordDecision: (record, options) => store.recordDecision(record.reason === null ? record : { ...record, reason: clean(record.reason) }, options),
    async queueStats(): Promise<QueueStats> {
      // Spread: a runtime's store may report more than QueueStats (the Worker's running scans).
      const stats = await store.queueStats();
      return stats.last_error ? { ...stats, last_error: { ...stats.last_error, message: clean(stats.last_error.message) } } : stats;
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

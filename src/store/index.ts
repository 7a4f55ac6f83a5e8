// Storage behind the Store interface. The SQLite store (Node only) is imported from ./sqlite-store.js directly.
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export type { AttemptsMade, DeadLetter, QueueStats, Store, StoredJob } from './store.js';

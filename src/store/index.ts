// Storage behind the Store interface.
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export type { Store } from './store.js';

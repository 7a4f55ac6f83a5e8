// The store thread: SqliteStore on a thread of its own, answering the calls of ThreadedStore (threaded-store.ts).
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { RuleConfigStore, Store } from '../../store/index.js';
import { SqliteStore } from './sqlite-store.js';

/** `workerData.role` of the store thread; any other thread that loads this module serves nothing. */
export const STORE_THREAD_ROLE = 'rulebot-store-thread';

export interface StoreThreadData {
  role: typeof STORE_THREAD_ROLE;
  /** DATA_DIR: where SqliteStore keeps its file. */
  dir: string;
  /** How long delivery keys and effects are remembered, in ms (SqliteStore's default when absent). */
  retentionMs?: number;
}

/** A call of one Store method, as ThreadedStore sends it: `at` is the time of the call by the caller's clock. */
export interface StoreRequest {
  id: number;
  method: keyof Store | keyof RuleConfigStore;
  args: unknown[];
  at: number;
}

/** What ThreadedStore sends: the calls made in one turn of its event loop, in order. */
export interface StoreCalls {
  calls: StoreRequest[];
}

/** An error as it crosses the thread boundary: in a message, Error objects lose their class and own properties. */
export interface ThreadError {
  name: string;
  message: string;
  code?: string;
}

export type StoreReply = { id: number; value: unknown } | { id: number; error: ThreadError };

/** What the thread sends: once `ready` (or `failed`, when the store cannot open), then `replies`. */
export type StoreThreadMessage = { ready: true } | { failed: ThreadError } | { replies: StoreReply[] };

export function toThreadError(error: unknown): ThreadError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' && { code }) };
}

/**
 * Opens the store and answers calls. SqliteStore commits the writes requested in one turn of this thread's
 * event loop together; while a commit waits for the disk, the calls that arrive queue up in the port and make
 * the next turn's batch. So every delivery that arrives during a commit joins the next one: one transaction and
 * one disk flush for all of them (group commit), however fast they come. The replies of one turn go back in one
 * message, in the order of the calls.
 */
function serveStore(port: MessagePort, data: StoreThreadData): void {
  // The store keeps the caller's time (the queue's clock, which tests set): that of the latest call. Writes
  // run when their batch commits, in the same turn as the calls that make it.
  const clock = { at: Date.now() };
  let store: SqliteStore;
  try {
    store = new SqliteStore(data.dir, { now: () => clock.at, ...(data.retentionMs !== undefined && { retentionMs: data.retentionMs }) });
  } catch (error) {
    port.postMessage({ failed: toThreadError(error) } satisfies StoreThreadMessage);
    port.close();
    return;
  }
  let replies: StoreReply[] = [];
  const send = () => {
    const message: StoreThreadMessage = { replies };
    replies = [];
    port.postMessage(message);
  };
  // Queued after the settlements of one batch, which are queued together when its commit returns: one message per batch.
  const reply = (answer: StoreReply) => {
    if (replies.push(answer) === 1) queueMicrotask(send);
  };
  port.on('message', ({ calls }: StoreCalls) => {
    for (const { id, method, args, at } of calls) {
      clock.at = at;
      const call = store[method] as (...args: unknown[]) => Promise<unknown>;
      call.apply(store, args).then(
        (value) => reply({ id, value }),
        (error: unknown) => reply({ id, error: toThreadError(error) }),
      );
      // After `close` nothing more comes: the thread ends once its last reply is sent.
      if (method === 'close') port.unref();
    }
  });
  port.postMessage({ ready: true } satisfies StoreThreadMessage);
}

// Started by ThreadedStore with this role. When rulebot runs bundled, the thread loads the whole bundle: this is
// where it starts serving (the entry point, main.ts, starts nothing outside the main thread).
const data = workerData as Partial<StoreThreadData> | null | undefined;
if (!isMainThread && parentPort && data?.role === STORE_THREAD_ROLE && typeof data.dir === 'string') {
  serveStore(parentPort, { role: STORE_THREAD_ROLE, dir: data.dir, ...(typeof data.retentionMs === 'number' && { retentionMs: data.retentionMs }) });
}

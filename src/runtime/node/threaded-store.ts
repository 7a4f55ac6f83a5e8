// The server's Store: SqliteStore on a thread of its own, so that waiting for the disk never holds up the event loop.
import { createRequire, isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AttemptsMade, DeadLetter, NewRuleConfig, PushedChange, QueueStats, RuleConfigRecord, RuleConfigStore, Store, StoredJob } from '../../store/index.js';
import { STORE_THREAD_ROLE, type StoreCalls, type StoreReply, type StoreRequest, type StoreThreadData, type StoreThreadMessage, type ThreadError } from './store-thread.js';

export interface ThreadedStoreOptions {
  /** How long delivery keys and effects are remembered, in ms (default 7 days). */
  retentionMs?: number;
  /** The clock the store records and compares times by (default `Date.now`): each call carries its time to the thread. */
  now?: () => number;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The same store as SqliteStore, with the same guarantees (a call resolves once its write is committed, with
 * `synchronous = FULL`), run on a worker thread. The event loop only posts each call and reads the answers:
 * the SQLite work, the commit and the wait for the disk happen beside it, and the deliveries that arrive during
 * one commit are committed together in the next (see store-thread.ts). Answers come back in the order of the
 * calls, so events are queued in the order they were accepted.
 *
 * @example
 * const store = await openThreadedStore(config.dataDir);
 * await store.acceptDelivery(key, job); // on disk
 */
export async function openThreadedStore(dir: string, options: ThreadedStoreOptions = {}): Promise<ThreadedStore> {
  const data: StoreThreadData = { role: STORE_THREAD_ROLE, dir, ...(options.retentionMs !== undefined && { retentionMs: options.retentionMs }) };
  const worker = await startStoreThread(data);
  const listeners: { error?: (error: Error) => void; exit?: (code: number) => void; message?: (message: StoreThreadMessage) => void } = {};
  try {
    await new Promise<void>((resolve, reject) => {
      listeners.error = reject;
      listeners.exit = (code) => reject(new Error(`the store thread stopped before opening the store (exit code ${code})`));
      listeners.message = (message) => ('failed' in message ? reject(fromThreadError(message.failed)) : resolve());
      worker.once('error', listeners.error).once('exit', listeners.exit).once('message', listeners.message);
    });
  } catch (error) {
    await worker.terminate();
    throw error;
  } finally {
    worker.off('error', listeners.error!).off('exit', listeners.exit!).off('message', listeners.message!);
  }
  return new ThreadedStore(worker, options.now ?? Date.now);
}

export class ThreadedStore implements Store, RuleConfigStore {
  private readonly pending = new Map<number, Pending>();
  private lastId = 0;
  /** Calls not sent yet (see schedulePost). */
  private outbox: StoreRequest[] = [];
  private postScheduled = false;
  /** Why calls are refused: the thread failed or stopped. */
  private stopped: Error | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly worker: Worker,
    private readonly now: () => number,
  ) {
    worker.on('message', (message: StoreThreadMessage) => {
      if ('replies' in message) this.settle(message.replies);
    });
    worker.on('error', (error) => this.fail(new Error(`the store thread failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => this.fail(new Error(`the store thread stopped (exit code ${code})`)));
    // Idle, the thread does not keep the process alive; a call in flight does (see call()).
    worker.unref();
  }

  acceptDelivery(key: string | undefined, job: StoredJob): Promise<boolean> {
    return this.call('acceptDelivery', [key, job]);
  }

  unfinishedJobIds(): Promise<string[]> {
    return this.call('unfinishedJobIds', []);
  }

  job(id: string): Promise<StoredJob | undefined> {
    return this.call('job', [id]);
  }

  finishJob(id: string): Promise<void> {
    return this.call('finishJob', [id]);
  }

  retryJobLater(id: string, nextAttemptAt: number, error: string, firstAttemptAt: number): Promise<void> {
    return this.call('retryJobLater', [id, nextAttemptAt, error, firstAttemptAt]);
  }

  deadLetter(id: string, reason: string, made: AttemptsMade): Promise<void> {
    return this.call('deadLetter', [id, reason, made]);
  }

  deadLetters(options: { payloads?: boolean } = {}): Promise<DeadLetter[]> {
    return this.call('deadLetters', [options]);
  }

  reviveDeadLetter(id: string): Promise<StoredJob | undefined> {
    return this.call('reviveDeadLetter', [id]);
  }

  queueStats(): Promise<QueueStats> {
    return this.call('queueStats', []);
  }

  claim(key: string, owner: string): Promise<'new' | 'own' | 'taken'> {
    return this.call('claim', [key, owner]);
  }

  effectTime(jobId: string, effect: string): Promise<number | undefined> {
    return this.call('effectTime', [jobId, effect]);
  }

  recordEffect(jobId: string, effect: string): Promise<void> {
    return this.call('recordEffect', [jobId, effect]);
  }

  lastScheduleRun(rule: string): Promise<number | undefined> {
    return this.call('lastScheduleRun', [rule]);
  }

  recordScheduleRun(rule: string, at: number): Promise<void> {
    return this.call('recordScheduleRun', [rule, at]);
  }

  value(key: string): Promise<string | undefined> {
    return this.call('value', [key]);
  }

  swapValue(key: string, expected: string | undefined, next: string | undefined): Promise<boolean> {
    return this.call('swapValue', [key, expected, next]);
  }

  ruleConfig(id: number, options: { texts: boolean }): Promise<RuleConfigRecord | undefined> {
    return this.call('ruleConfig', [id, options]);
  }

  saveRuleConfig(config: NewRuleConfig, expectedVersion: number | undefined): Promise<number | undefined> {
    return this.call('saveRuleConfig', [config, expectedVersion]);
  }

  invalidateRuleConfigs(change: PushedChange): Promise<number[]> {
    return this.call('invalidateRuleConfigs', [change]);
  }

  ruleConfigsWithSchedules(): Promise<RuleConfigRecord[]> {
    return this.call('ruleConfigsWithSchedules', []);
  }

  ruleConfigProblems(): Promise<{ configs: number; invalid: RuleConfigRecord[] }> {
    return this.call('ruleConfigProblems', []);
  }

  configNote(projectId: number, iid: number): Promise<number | undefined> {
    return this.call('configNote', [projectId, iid]);
  }

  setConfigNote(projectId: number, iid: number, noteId: number): Promise<void> {
    return this.call('setConfigNote', [projectId, iid, noteId]);
  }

  /** Whether a write commits now (SqliteStore's write probe, run in the thread). */
  writable(): Promise<boolean> {
    if (this.closing) return Promise.resolve(false);
    return this.call('writable', []);
  }

  /**
   * Commits what is pending, closes the database and ends the thread. As with SqliteStore, a call made
   * after this never settles: what still runs at shutdown neither acts on a read that did not happen nor
   * records anything.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (!this.stopped) await this.call('close', []);
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private call<T>(method: keyof Store | keyof RuleConfigStore, args: unknown[]): Promise<T> {
    // Closed (see close()): the call never settles.
    if (this.closing && method !== 'close') return new Promise<T>(() => {});
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<T>((resolve, reject) => {
      const id = ++this.lastId;
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.outbox.push({ id, method, args, at: this.now() });
      this.schedulePost();
    });
  }

  /**
   * One message to the thread at a time: the calls made meanwhile wait here and go together once every call
   * of the previous message is answered. The thread cannot start the next commit before it has finished the
   * last one anyway; so it wakes once per commit rather than once per call, which on a busy machine takes
   * the processor from the event loop each time.
   */
  private schedulePost(): void {
    const inFlight = this.pending.size - this.outbox.length;
    if (this.postScheduled || this.outbox.length === 0 || inFlight > 0) return;
    this.postScheduled = true;
    // At the end of this turn of the event loop, so that the calls of the whole turn go in one message.
    setImmediate(this.post);
  }

  private readonly post = () => {
    this.postScheduled = false;
    if (this.outbox.length === 0 || this.stopped) return;
    const message: StoreCalls = { calls: this.outbox };
    this.outbox = [];
    this.worker.postMessage(message);
  };

  private settle(replies: readonly StoreReply[]): void {
    for (const reply of replies) {
      const pending = this.pending.get(reply.id);
      if (!pending) continue;
      this.pending.delete(reply.id);
      if ('error' in reply) pending.reject(fromThreadError(reply.error));
      else pending.resolve(reply.value);
    }
    if (this.pending.size === 0) this.worker.unref();
    this.schedulePost();
  }

  /** The thread is gone: every call in flight fails, and so does every later one; unless it was closed, when none settles. */
  private fail(error: Error): void {
    this.stopped ??= error;
    if (!this.closing) for (const pending of this.pending.values()) pending.reject(this.stopped);
    this.pending.clear();
    this.outbox = [];
  }
}

/**
 * Starts the thread. Bundled (`npm start`), this module is part of the bundle, and the thread loads the bundle
 * itself. From TypeScript source (tsx, vitest), Node cannot load store-thread.ts in a thread, so esbuild (which
 * `npm run build` uses too) bundles it first, leaving packages to be loaded from node_modules.
 */
async function startStoreThread(data: StoreThreadData): Promise<Worker> {
  // The thread allocates little at a time (a call's arguments, a few rows): a small young generation keeps
  // its memory small (about 8 MiB less than V8's default once bundled).
  const resourceLimits = { maxYoungGenerationSizeMb: 2 };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL(import.meta.url), { workerData: data, resourceLimits });
  const { build } = await import('esbuild');
  const require = createRequire(import.meta.url);
  const bundled = await build({
    entryPoints: [fileURLToPath(new URL('./store-thread.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'packages-from-node-modules',
        setup(esbuild) {
          esbuild.onResolve({ filter: /^[^./]/ }, (args) => (isBuiltin(args.path) ? undefined : { path: require.resolve(args.path), external: true }));
        },
      },
    ],
  });
  // No execArgv: tsx's `--import` would load in the thread for nothing.
  return new Worker(bundled.outputFiles[0]!.text, { eval: true, workerData: data, execArgv: [], resourceLimits });
}

function fromThreadError(error: ThreadError): Error {
  return Object.assign(new Error(error.message), { name: error.name, ...(error.code !== undefined && { code: error.code }) });
}

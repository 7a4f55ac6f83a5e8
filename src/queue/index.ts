// The runtime-neutral job model: what an accepted event carries, how failures are judged, how stored jobs come back.
export { DEFAULT_RETRY, type Job, type RetryPolicy } from './job.js';
export { failureVerdict } from './failure-verdict.js';
export { restoreJob, unreadableReason } from './restore-job.js';
export { orderKey } from './order-key.js';
export { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';

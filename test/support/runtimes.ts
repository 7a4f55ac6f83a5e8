// The runtimes every shared scenario runs on: one scenario list, two runtimes.
import { startHarness, type Harness, type HarnessOptions } from './harness.js';
import { startWorkerHarness } from './worker-harness.js';

export interface Runtime {
  name: 'node' | 'worker';
  start(options?: HarnessOptions): Promise<Harness>;
}

export const RUNTIMES: readonly Runtime[] = [
  { name: 'node', start: startHarness },
  { name: 'worker', start: startWorkerHarness },
];

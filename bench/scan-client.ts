// Runs bench/scan-child.ts (rulebot) in a child process and returns what it measured.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ScanChildMessageSchema, type ScanChildDone, type ScanChildRequest } from './scan-protocol.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL('./scan-child.ts', import.meta.url));

/**
 * Starts rulebot in a child process, calls `onReady` once it has started (to clear the fake's record of
 * its start-up calls), then lets it scan and resolves with its report. Run the way `npm start` runs it.
 */
export function runScanChild(request: ScanChildRequest, onReady: () => void): Promise<ScanChildDone> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD_SCRIPT, [JSON.stringify(request)], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    let done: ScanChildDone | undefined;
    child.on('message', (raw) => {
      const parsed = ScanChildMessageSchema.safeParse(raw);
      if (!parsed.success) {
        child.kill();
        return reject(new Error(`scan child sent an unexpected message: ${JSON.stringify(raw).slice(0, 300)}`));
      }
      if (parsed.data.type === 'ready') {
        onReady();
        child.send({ type: 'go' });
      } else {
        done = parsed.data;
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (done) return resolve(done);
      reject(new Error(`scan child exited (code ${code}, signal ${signal}) before reporting`));
    });
  });
}

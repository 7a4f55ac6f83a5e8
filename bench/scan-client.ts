// Runs bench/scan-child.ts (rulebot), bundled by scan-build.ts, in a child process and returns what it measured.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ScanChildMessageSchema, type ScanChildDone, type ScanChildRequest } from './scan-protocol.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The Node flags of `npm start` (`node --enable-source-maps dist/runtime/node/main.js`); fork would otherwise pass on ours, tsx included. */
export const CHILD_EXEC_ARGV: readonly string[] = ['--enable-source-maps'];

/**
 * Starts rulebot in a child process from `childFile` (the bundled bench/scan-child.ts), calls `onReady` once it
 * has started (to clear the fake's record of its start-up calls), then lets it scan and resolves with its report.
 * Run the way `npm start` runs it: plain JavaScript bundled by esbuild, no tsx.
 */
export function runScanChild(childFile: string, request: ScanChildRequest, onReady: () => void): Promise<ScanChildDone> {
  return new Promise((resolve, reject) => {
    const child = fork(childFile, [JSON.stringify(request)], {
      cwd: ROOT,
      execArgv: [...CHILD_EXEC_ARGV],
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
        const flags = [...parsed.data.execArgv, parsed.data.nodeOptions ?? ''].join(' ');
        if (/tsx/.test(flags)) {
          child.kill();
          return reject(new Error(`scan child runs with tsx (${flags}); it must run bundled JavaScript, as npm start does`));
        }
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

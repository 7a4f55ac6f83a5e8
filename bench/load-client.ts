// Runs bench/load.ts in a child process and returns its summary.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LoadSummarySchema, type LoadRequest, type LoadSummary } from './load-protocol.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LOAD_SCRIPT = fileURLToPath(new URL('./load.ts', import.meta.url));

/** Starts the load generator for one run and resolves with what it measured. */
export function runLoad(request: LoadRequest): Promise<LoadSummary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD_SCRIPT, JSON.stringify(request)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const output = Buffer.concat(chunks).toString('utf8').trim();
      if (code !== 0) return reject(new Error(`load generator exited with code ${code}: ${output || '(no output)'}`));
      try {
        resolve(LoadSummarySchema.parse(JSON.parse(output.split('\n').at(-1) ?? '')));
      } catch (cause) {
        reject(new Error(`load generator printed no valid summary, got: ${output.slice(0, 300)}`, { cause }));
      }
    });
  });
}

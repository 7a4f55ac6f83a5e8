// Soak benchmark: what the bench reads back — rulebot's `GET /status` and dead letters, the calls the fake received, which src/ ran.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../src/runtime/node/cli/run.js';
import { WEBHOOK_SECRET } from './soak-send.js';

export interface Status {
  queue: { depth: number; dead_letters: number; last_error?: unknown };
}

export async function readStatus(url: string): Promise<Status> {
  return (await (await fetch(`${url}/status`, { headers: { authorization: `Bearer ${WEBHOOK_SECRET}` } })).json()) as Status;
}

/**
 * Polls `GET /status` every 250 ms; resolves the ms until depth 0, or undefined after `timeoutMs`.
 * Throws if the server has gone (`ended` says why).
 */
export async function waitForDrain(url: string, timeoutMs: number, ended: () => string | undefined): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const why = ended();
    // rulebot answers SIGTERM by stopping and exiting 0, after logging "stopping" to stderr.
    if (why) throw new Error(`rulebot exited before its queue drained (${why}): the bench stops it only afterwards, so something else did`);
    const status = await readStatus(url).catch(() => undefined);
    if (status?.queue.depth === 0) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return undefined;
}

/** `rulebot dead-letters` on a stopped server's data: one line per dead letter, its id (the Idempotency-Key) first. */
export async function listDeadLetters(dataDir: string): Promise<string[]> {
  const lines: string[] = [];
  await runCli(['dead-letters'], { DATA_DIR: dataDir }, (line) => lines.push(line));
  return lines.slice(0, -1);
}

export interface CallTally {
  total: number;
  put: number;
  postNote: number;
  /** Comments listed by a retry looking for the marker of one an earlier attempt may have posted. */
  getNotes: number;
  other: number;
}

export function tallyCalls(requests: readonly { method: string; path: string }[]): CallTally {
  const calls = { total: requests.length, put: 0, postNote: 0, getNotes: 0, other: 0 };
  for (const { method, path } of requests) {
    if (method === 'PUT' && /\/merge_requests\/\d+$/.test(path)) calls.put++;
    else if (method === 'POST' && /\/merge_requests\/\d+\/notes$/.test(path)) calls.postNote++;
    else if (method === 'GET' && /\/merge_requests\/\d+\/notes$/.test(path)) calls.getNotes++;
    else calls.other++;
  }
  return calls;
}

/**
 * SHA-256 over the paths and contents of src/, first 12 hex digits: which rulebot a run measured, since
 * src/ changes between runs.
 */
export async function digestSources(): Promise<string> {
  const root = new URL('../src', import.meta.url).pathname;
  const hash = createHash('sha256');
  const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
  const paths = files.map((entry) => join(entry.parentPath, entry.name)).sort();
  for (const path of paths) hash.update(path.slice(root.length)).update(await readFile(path));
  return hash.digest('hex').slice(0, 12);
}

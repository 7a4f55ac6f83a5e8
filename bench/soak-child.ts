// Soak benchmark: rulebot as `npm start` runs it, in a child process; its log lines tallied and kept, its memory sampled.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** What rulebot logged: lines per `level msg`, and the first few warnings and errors as written. */
export interface LogTally {
  byMessage: Record<string, number>;
  firstProblems: string[];
}

/** Resident memory of the child, from `/proc/<pid>/status`, in bytes. */
export interface ChildMemory {
  /** Highest `VmRSS` of the samples taken every `sampleMs`. */
  sampledPeakBytes: number;
  /** `VmHWM`, the kernel's high-water mark, read just before the child is stopped: the true peak. */
  highWaterBytes: number;
  samples: number;
}

export interface RulebotChild {
  url: string;
  pid: number;
  logs: LogTally;
  /** Why the process ended, if it did: `"exit code 1"`, `"signal SIGTERM"`. */
  ended(): string | undefined;
  /** Current `VmRSS`, in bytes (0 where /proc is missing). */
  rssNow(): Promise<number>;
  /** Lines of the log file that mention each text (read once the child has stopped). */
  linesAbout(texts: readonly string[]): Promise<Map<string, string[]>>;
  /** Stops sampling, reads the high-water mark and CPU time, then SIGTERM (SIGKILL after 15 s). Idempotent. */
  stop(): Promise<{ memory: ChildMemory; cpuMs: number }>;
}

/**
 * Starts `node --import tsx src/runtime/node/main.ts` with `env` and resolves once it logs
 * "rulebot listening" (which is logged at `info`). Every stdout line goes to `logFile`.
 */
export function startRulebot(env: Record<string, string>, logFile: string, sampleMs = 200): Promise<RulebotChild> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/runtime/node/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const log = createWriteStream(logFile);
  const logs: LogTally = { byMessage: {}, firstProblems: [] };
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`rulebot exited early with code ${code}`));
    proc.once('exit', early);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      log.write(`${line}\n`);
      const entry = readLine(line);
      const name = `${entry.level ?? '?'} ${entry.msg ?? line.slice(0, 60)}`;
      logs.byMessage[name] = (logs.byMessage[name] ?? 0) + 1;
      if ((entry.level === 'warn' || entry.level === 'error') && logs.firstProblems.length < 5) logs.firstProblems.push(line);
      if (entry.msg === 'rulebot listening' && typeof entry.url === 'string') {
        proc.off('exit', early);
        resolve(running(proc, entry.url, logs, logFile, log, sampleMs));
      }
    });
  });
}

function running(proc: ChildProcess, url: string, logs: LogTally, logFile: string, log: NodeJS.WritableStream, sampleMs: number): RulebotChild {
  const pid = proc.pid!;
  const memory: ChildMemory = { sampledPeakBytes: 0, highWaterBytes: 0, samples: 0 };
  const sampler = setInterval(() => {
    void readStatus(pid).then((status) => {
      memory.sampledPeakBytes = Math.max(memory.sampledPeakBytes, status.VmRSS ?? 0);
      memory.samples++;
    });
  }, sampleMs);
  let ended: string | undefined;
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      ended = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    }),
  );
  let stopped: Promise<{ memory: ChildMemory; cpuMs: number }> | undefined;
  const stop = async () => {
    clearInterval(sampler);
    memory.highWaterBytes = (await readStatus(pid)).VmHWM ?? 0;
    const cpuMs = await readCpuMs(pid);
    proc.kill('SIGTERM');
    const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
    await new Promise<void>((resolve) => log.end(() => resolve()));
    return { memory, cpuMs };
  };
  return {
    url,
    pid,
    logs,
    ended: () => ended,
    rssNow: async () => (await readStatus(pid)).VmRSS ?? 0,
    async linesAbout(texts) {
      const lines = (await readFile(logFile, 'utf8')).split('\n');
      return new Map(texts.map((text) => [text, lines.filter((line) => line.includes(text))]));
    },
    stop: () => (stopped ??= stop()),
  };
}

/** The `kB` fields of `/proc/<pid>/status`, in bytes; empty where /proc is missing or the process is gone. */
async function readStatus(pid: number): Promise<Record<string, number>> {
  try {
    const text = await readFile(`/proc/${pid}/status`, 'utf8');
    const fields: Record<string, number> = {};
    for (const match of text.matchAll(/^(\w+):\s+(\d+) kB$/gm)) fields[match[1]!] = Number(match[2]) * 1024;
    return fields;
  } catch {
    return {};
  }
}

/** User and system CPU time of the process so far, from `/proc/<pid>/stat` (clock ticks of 10 ms); 0 without /proc. */
async function readCpuMs(pid: number): Promise<number> {
  try {
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

function readLine(line: string): { level?: unknown; msg?: unknown; url?: unknown } {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

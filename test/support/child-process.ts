// rulebot as a child process (`npm start`'s entry point) against a slow fake GitLab: for crashes, signals and two processes on one DATA_DIR.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { mergeRequestPayload, WELCOME_RULES, withoutMarker } from './events.js';
import { FakeGitLab } from './fake-gitlab.js';
import { BOT, SECRET, TOKEN } from './harness.js';

export interface LogLine {
  level?: string;
  msg?: string;
  url?: string;
  [field: string]: unknown;
}

export interface Child {
  process: ChildProcess;
  /** Its log: every JSON line of stdout and stderr, in the order they arrived. */
  logs: LogLine[];
  /** Lines of stderr that are not JSON (what it prints when it cannot start). */
  stderr: string[];
  /** Resolves its exit code once it has exited. */
  exited: Promise<number | null>;
  /** Resolves the first log line `match` accepts, waiting for it; rejects if the process exits first. */
  waitFor(match: (line: LogLine) => boolean): Promise<LogLine>;
}

/** Starts rulebot with `env` added to this process's environment. */
export function spawnRulebot(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/runtime/node/main.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  const waiting = new Set<() => void>();
  // 'close', not 'exit': its last lines may still be in the pipes when it exits.
  const exited = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  const read = (line: string, fromStderr: boolean) => {
    if (!line.startsWith('{')) {
      if (fromStderr) stderr.push(line);
      return;
    }
    logs.push(JSON.parse(line) as LogLine);
    for (const check of waiting) check();
  };
  createInterface({ input: proc.stdout! }).on('line', (line) => read(line, false));
  createInterface({ input: proc.stderr! }).on('line', (line) => read(line, true));
  return {
    process: proc,
    logs,
    stderr,
    exited,
    waitFor(match) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = logs.find(match);
          if (found) {
            waiting.delete(check);
            resolve(found);
          }
        };
        waiting.add(check);
        check();
        void exited.then((code) => {
          if (waiting.delete(check)) reject(new Error(`rulebot exited with code ${code}; log:\n${logs.map((l) => JSON.stringify(l)).join('\n')}\n${stderr.join('\n')}`));
        });
      });
    },
  };
}

/** Starts rulebot and resolves once it serves events, with its URL. */
export async function startRulebot(env: Record<string, string>): Promise<{ child: Child; url: string }> {
  const child = spawnRulebot(env);
  const line = await child.waitFor((entry) => entry.msg === 'rulebot listening');
  return { child, url: line.url! };
}

export interface SlowGitLabOptions {
  /** Merge requests 1..count, spread over `projects` projects (default 1): merge request `iid` is in project `1 + (iid - 1) % projects`. */
  count: number;
  projects?: number;
  /** How long GitLab takes to answer a merge request edit or comment. */
  delayMs: number;
  /** The first `times` comments take `ms` instead. */
  slowComments?: { ms: number; times: number };
  concurrency: number;
}

export interface SlowGitLab {
  gitlab: FakeGitLab;
  /** The environment that runs rulebot against it, with a data directory of its own. */
  env: { DATA_DIR: string; [name: string]: string };
  /** Delivers merge request `iid`'s "open" event as GitLab does; resolves the status (undefined when refused or cut off). */
  deliver(url: string, iid: number): Promise<number | undefined>;
  /** The bot's comments on merge request `iid`, without their markers. */
  comments(iid: number): string[];
  labels(iid: number): string[] | undefined;
}

/**
 * A slow fake GitLab and the environment that runs rulebot against it with the welcome rule (a
 * label and a comment per opened merge request, so a lost or doubled action shows).
 */
export async function slowGitLab(options: SlowGitLabOptions): Promise<SlowGitLab> {
  const gitlab = new FakeGitLab({ token: TOKEN, botUser: BOT });
  await gitlab.start();
  const projects = options.projects ?? 1;
  const projectOf = (iid: number) => 1 + ((iid - 1) % projects);
  const pathOf = (project: number) => (project === 1 ? 'gitlabhq/gitlab-test' : `gitlabhq/project-${project}`);
  for (let project = 1; project <= projects; project++) gitlab.addProject({ id: project, path_with_namespace: pathOf(project) });
  for (let iid = 1; iid <= options.count; iid++) gitlab.addMergeRequest({ project_id: projectOf(iid), iid, labels: [] });
  // Faults match in the order they were added: the slow comments first.
  const slowComments = options.slowComments;
  if (slowComments) gitlab.inject({ method: 'POST', path: /merge_requests\/\d+\/notes$/, delayMs: slowComments.ms, times: slowComments.times });
  gitlab.inject({ path: /merge_requests\/\d+(\/notes)?$/, delayMs: options.delayMs, times: 10_000 });
  const dir = await mkdtemp(join(tmpdir(), 'rulebot-child-'));
  await writeFile(join(dir, 'welcome.yml'), WELCOME_RULES);
  const env = {
    GITLAB_URL: gitlab.url, GITLAB_TOKEN: TOKEN, GITLAB_WEBHOOK_SECRET: SECRET, RULES_DIR: dir,
    DATA_DIR: join(dir, 'data'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', QUEUE_CONCURRENCY: String(options.concurrency),
  };
  return {
    gitlab,
    env,
    async deliver(url, iid) {
      const project = projectOf(iid);
      try {
        const response = await fetch(`${url}/webhooks/gitlab`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'idempotency-key': `open-${iid}` },
          body: JSON.stringify(mergeRequestPayload({ iid, labels: [], projectId: project, path: pathOf(project) })),
        });
        await response.body?.cancel();
        return response.status;
      } catch {
        return undefined; // refused or cut off: not acknowledged, so not promised
      }
    },
    comments: (iid) => gitlab.notes(projectOf(iid), 'MergeRequest', iid).filter((note) => note.author_id === BOT.id).map((note) => withoutMarker(note.body)),
    labels: (iid) => gitlab.mergeRequest(projectOf(iid), iid)?.labels,
  };
}

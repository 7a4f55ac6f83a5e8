// Crash test: rulebot as a child process, killed with SIGKILL after GitLab rotated its token and before the new
// token reached the store. The window cannot be closed (GitLab shows a new token once); this shows what rulebot
// says at the next start, and that the recovery the README gives brings it back.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeRequestPayload, WELCOME_RULES } from '../support/events.js';
import { FakeGitLab } from '../support/fake-gitlab.js';
import { BOT, readStatus, SECRET } from '../support/harness.js';
import { filesHolding } from '../support/secrets-at-rest.js';

const DAY = 86_400_000;
const date = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const ORIGINAL = 'glpat-original-token-of-the-crash-test';
const REPLACEMENT = 'glpat-made-by-the-operator-afterwards';

let child: ChildProcess | undefined;
let gitlab: FakeGitLab | undefined;
let dir: string | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  await gitlab?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  process: ChildProcess;
  /** Resolves the URL once rulebot listens, or rejects with its exit code and what it wrote to stderr. */
  listening: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function run(env: Record<string, string>): Run {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/runtime/node/main.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let stderr = '';
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  const listening = new Promise<string>((resolve, reject) => {
    void exited.then(({ code, signal }) => reject(new Error(`rulebot exited (${code ?? signal}): ${stderr}`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'rulebot listening') resolve(entry.url!);
    });
  });
  listening.catch(() => {});
  return { process: proc, listening, exited };
}

describe('crash during a token rotation', () => {
  it('after a SIGKILL between GitLab rotating the token and rulebot storing it, refuses to start saying how to recover, and works with the new token an operator sets', async () => {
    gitlab = new FakeGitLab({ token: 'not-used-by-this-test', botUser: BOT });
    await gitlab.start();
    gitlab.addProject({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test' });
    gitlab.addMergeRequest({ project_id: 1, iid: 1, labels: [] });
    const original = gitlab.addToken({ token: ORIGINAL, expires_at: date(3) });
    dir = await mkdtemp(join(tmpdir(), 'rulebot-token-crash-'));
    await writeFile(join(dir, 'welcome.yml'), WELCOME_RULES);
    const env = {
      GITLAB_URL: gitlab.url, GITLAB_TOKEN: ORIGINAL, GITLAB_WEBHOOK_SECRET: SECRET, RULES_DIR: dir,
      DATA_DIR: join(dir, 'data'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info',
    };

    // GitLab makes the new token and revokes the old one; rulebot is killed before the answer reaches it.
    let rotatedTo: string | undefined;
    gitlab.onRotate((_old, fresh) => {
      rotatedTo = fresh.token;
      child!.kill('SIGKILL');
    });
    const first = run(env);
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    gitlab.onRotate(undefined);
    expect(rotatedTo).toBeDefined();
    expect(gitlab.tokenActive(ORIGINAL)).toBe(false);

    // Restarted with the same environment: the token is gone, and rulebot says so and what to do.
    const second = run(env);
    const refused = await second.exited;
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("rulebot: cannot start:\nrulebot's GitLab token no longer works: a rotation began at");
    expect(refused.stderr).toContain(`GitLab revoked token ${original.id} when it rotated it`);
    expect(refused.stderr).toContain('2. Set it as GITLAB_TOKEN');
    // It never rotated again with the revoked token (which would make GitLab revoke the new one too).
    expect(gitlab.calls('POST', /rotate/)).toHaveLength(1);
    expect(await filesHolding(join(dir, 'data'), [ORIGINAL, rotatedTo!])).toEqual([]);

    // The operator follows the steps: a new token in GITLAB_TOKEN, and rulebot works with it.
    gitlab.addToken({ token: REPLACEMENT, expires_at: date(200) });
    const third = run({ ...env, GITLAB_TOKEN: REPLACEMENT });
    const url = await third.listening;
    const delivered = await fetch(`${url}/webhooks/gitlab`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'idempotency-key': 'after-recovery' },
      body: JSON.stringify(mergeRequestPayload({ iid: 1, labels: [] })),
    });
    expect(delivered.status).toBe(202);
    await expect.poll(() => gitlab!.mergeRequest(1, 1)?.labels, { timeout: 10_000 }).toEqual(['triaged']);
    const status = await readStatus((path, init) => fetch(`${url}${path}`, init), SECRET);
    expect(status.gitlab_token.token_expires_at).toBe(date(200));
    expect(status.gitlab_token.problem).toBeUndefined();
  }, 60_000);
});

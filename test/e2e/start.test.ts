// `npm start`, as the README and the Dockerfile run it: bundles src/ and serves /healthz.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';

it('starts with npm start, says it is in dry-run, runs the README\'s first try without asking GitLab, and stops on SIGTERM with exit 0', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'rulebot-start-'));
  const child = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, GITLAB_TOKEN: '', RULES_DIR: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const lines: { msg?: string; url?: string; rule?: string; reason?: string }[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      lines.push(entry);
      if (entry.msg === 'rulebot listening') resolve(entry.url!);
    });
  });
  const response = await fetch(`${url}/healthz`);
  expect(response.status).toBe(200);
  await expect.poll(() => lines.some((entry) => entry.msg?.startsWith('dry-run mode (GITLAB_TOKEN is not set)'))).toBe(true);

  // The README's first try: post GitLab's example merge request. Without a token nothing is read from
  // GitLab: the rules that need changed files are reported as undecided, and the event is done.
  const body = await readFile('test/fixtures/merge_request.json', 'utf8');
  const posted = await fetch(`${url}/webhooks/gitlab`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Merge Request Hook' } });
  expect(posted.status).toBe(202);
  await expect.poll(() => lines.some((entry) => entry.msg === 'event processed')).toBe(true);
  const undecided = lines.filter((entry) => entry.msg === 'rule not evaluated');
  expect(undecided.map((entry) => entry.rule)).toContain('documentation label');
  expect(undecided.every((entry) => entry.reason === 'changed files were not read from GitLab: GITLAB_TOKEN is not set (dry-run)')).toBe(true);
  expect(lines.some((entry) => entry.msg === 'event failed; will retry')).toBe(false);
  const ready = await fetch(`${url}/readyz`);
  expect(ready.status).toBe(200);
  expect((await ready.json()).checks).toMatchObject({ store: true, gitlab: 'not checked: GITLAB_TOKEN is not set (dry-run)' });

  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  // As Docker does: the signal goes to npm, which passes it on to rulebot.
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 30_000);

// `npm start`, as the README and the Dockerfile run it: bundles src/ and serves /healthz.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';

it('starts with npm start, says it is in dry-run, answers /healthz, and stops on SIGTERM with exit 0', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'rulebot-start-'));
  const child = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, GITLAB_TOKEN: '', RULES_DIR: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const lines: { msg?: string; url?: string }[] = [];
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

  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  // As Docker does: the signal goes to npm, which passes it on to rulebot.
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 30_000);

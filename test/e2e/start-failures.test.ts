// The start-up failures an operator meets, as `npm start`'s entry point says them: one line, the setting, what to do.
import { createServer } from 'node:net';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnRulebot } from '../support/child-process.js';

/** Runs rulebot until it exits; its exit code and what it printed that is not a log line. */
async function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string[] }> {
  const child = spawnRulebot({ PORT: '0', HOST: '127.0.0.1', GITLAB_TOKEN: '', RULES_DIR: '', LOG_LEVEL: 'error', ...env });
  const code = await child.exited;
  return { code, stderr: child.stderr };
}

const tempDir = () => mkdtemp(join(tmpdir(), 'rulebot-start-'));

describe('start-up failures', () => {
  it('says which port is in use', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { code, stderr } = await start({ PORT: String(port), DATA_DIR: await tempDir() });
      expect(code).toBe(1);
      expect(stderr).toEqual([`rulebot: cannot start: PORT ${port} on 127.0.0.1:${port} is in use by another process: stop it, or set PORT to a free port`]);
    } finally {
      taken.close();
    }
  });

  it('says that DATA_DIR is a file, not a directory', async () => {
    const file = join(await tempDir(), 'data');
    await writeFile(file, 'not a directory');
    const { code, stderr } = await start({ DATA_DIR: file });
    expect(code).toBe(1);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(new RegExp(`^rulebot: cannot start: DATA_DIR ${file} is not a directory \\((ENOTDIR|EEXIST)\\): set DATA_DIR to a directory`));
  });

  it.skipIf(process.getuid?.() === 0)('says that DATA_DIR cannot be written', async () => {
    const dir = join(await tempDir(), 'data');
    await mkdir(dir);
    await chmod(dir, 0o500);
    const { code, stderr } = await start({ DATA_DIR: dir });
    expect(code).toBe(1);
    expect(stderr[0]).toMatch(/^rulebot: cannot start: DATA_DIR .* cannot be written by this process \(EACCES\)/);
  });

  it('says that the database is not SQLite, how to start afresh, and what that loses', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'rulebot.sqlite'), 'this is no database at all, just text that is long enough to have a header');
    const { code, stderr } = await start({ DATA_DIR: dir });
    expect(code).toBe(1);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toContain(`rulebot: cannot start: DATA_DIR ${dir}: rulebot.sqlite is not a readable rulebot database (SQLITE_NOTADB). To start afresh, move it aside`);
    expect(stderr[0]).toContain('dead letters and the times of the last schedule runs are lost');
  });
});

describe('start-up log', () => {
  it('names the address it listens on: every address for HOST=0.0.0.0, with the loopback URL', async () => {
    const child = spawnRulebot({ PORT: '0', HOST: '0.0.0.0', GITLAB_TOKEN: '', RULES_DIR: '', DATA_DIR: await tempDir() });
    try {
      const line = await child.waitFor((entry) => entry.msg === 'rulebot listening');
      const port = /:(\d+)$/.exec(String(line.url))![1];
      expect(line).toMatchObject({ url: `http://0.0.0.0:${port}`, listening_on: 'every IPv4 address of this machine', local_url: `http://127.0.0.1:${port}` });
      expect((await fetch(`${line['local_url']}/healthz`)).status).toBe(200);
    } finally {
      child.process.kill('SIGKILL');
    }
  });

  it('names the one address it listens on for a HOST that is one', async () => {
    const child = spawnRulebot({ PORT: '0', HOST: '127.0.0.1', GITLAB_TOKEN: '', RULES_DIR: '', DATA_DIR: await tempDir() });
    try {
      const line = await child.waitFor((entry) => entry.msg === 'rulebot listening');
      expect(line.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(line).not.toHaveProperty('listening_on');
    } finally {
      child.process.kill('SIGKILL');
    }
  });
});

// End to end: a GITLAB_URL with a user name and password is refused at start, and the password is printed nowhere.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/runtime/node/cli/run.js';
import { SECRET, TOKEN } from '../support/harness.js';
import { startWorkerHarness } from '../support/worker-harness.js';

const PASSWORD = 'hunter2-url-password';
const GITLAB_URL = `https://rulebot:${PASSWORD}@gitlab.example.com`;
const REFUSED =
  'GITLAB_URL: expected the address of the GitLab instance without a user name or password, such as https://gitlab.example.com: ' +
  'put the token in GITLAB_TOKEN (got "https://***@gitlab.example.com")';

describe('GITLAB_URL with a password', () => {
  it('stops the Node process at start with exit code 1, saying why without the password', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rulebot-url-'));
    const run = promisify(execFile)('node', ['--import', 'tsx', 'src/runtime/node/main.ts'], {
      env: { ...process.env, GITLAB_URL, GITLAB_TOKEN: TOKEN, GITLAB_WEBHOOK_SECRET: SECRET, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, RULES_DIR: '' },
    });
    const failed = (await run.then(() => undefined, (error: unknown) => error)) as { code: number; stdout: string; stderr: string };
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(`rulebot: cannot start: invalid configuration: ${REFUSED}\n`);
    expect(failed.stdout).toBe('');
  }, 30_000);

  it('stops the command line the same way', async () => {
    const lines: string[] = [];
    expect(await runCli(['dead-letters'], { GITLAB_URL }, (line) => lines.push(line))).toBe(1);
    expect(lines).toEqual([`rulebot dead-letters: invalid configuration: ${REFUSED}`]);
  });

  it('makes the Worker answer every request with the reason, without the password in the answer or its log', async () => {
    const h = await startWorkerHarness({ env: { GITLAB_URL }, warm: false });
    try {
      const response = await h.fetch('/readyz');
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ code: 'not_configured', error: `rulebot cannot start: invalid configuration: ${REFUSED}` });
      expect(h.logs.join('\n')).toContain('rulebot cannot start: invalid configuration:');
      expect(h.logs.join('\n')).not.toContain(PASSWORD);
    } finally {
      await h.close();
    }
  });
});

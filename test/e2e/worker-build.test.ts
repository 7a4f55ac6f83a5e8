// The Worker's build as a user runs it: `npm run build:worker` and `wrangler deploy --dry-run`, offline.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/runtime/node/cli/run.js';

const run = promisify(execFile);
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', XDG_CONFIG_HOME: join(tmpdir(), 'rulebot-wrangler-config') };

describe('npm run build:worker', () => {
  it('refuses invalid rules with exactly what `rulebot check` says, and writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rulebot-build-'));
    const rules = join(dir, 'rules');
    await mkdir(rules);
    await writeFile(join(rules, 'a.yml'), 'rules:\n  - name: x\n    on: merge_request.opened\n    then: { add_labels: [ok] }\n');
    const checked: string[] = [];
    expect(await runCli(['check', '--rules', rules], {}, (line) => checked.push(line))).toBe(1);

    const build = await run('npm', ['run', '-s', 'build:worker'], { env: { ...env, RULES_DIR: rules, WORKER_OUTFILE: join(dir, 'out/index.js') } }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(build.code).toBe(1);
    expect(build.stderr.trim().split('\n')).toEqual([...checked.join('\n').split('\n'), 'build:worker: the rules above are invalid; nothing was built']);
    await expect(readdir(join(dir, 'out'))).rejects.toThrow();
  });
});

describe('wrangler deploy --dry-run', () => {
  it('builds through wrangler.toml and lists every binding rulebot uses, without a network', async () => {
    const out = await mkdtemp(join(tmpdir(), 'rulebot-dry-run-'));
    const { stdout } = await run('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out], { env, timeout: 120_000 });
    expect(stdout).toContain('rules: 5 rules in 2 files, all valid');
    for (const binding of ['env.STORE (RulebotStore)', 'env.CACHE', 'env.EVENTS (rulebot-events)']) expect(stdout).toContain(binding);
    expect(stdout).toContain('--dry-run: exiting now.');
    const bundle = await readFile(join(out, 'index.js'), 'utf8');
    // The shipped rules are inside the bundle.
    expect(bundle).toContain('documentation label');
  }, 120_000);
});

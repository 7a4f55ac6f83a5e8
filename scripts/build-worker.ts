// `npm run build:worker`: checks the rule files as `rulebot check` does, then bundles the Worker with them inside.
import { build, type Plugin } from 'esbuild';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { runCheck } from '../src/runtime/node/cli/check.js';

export interface WorkerBuild {
  /** What `rulebot check` says about the rules; the bundle is written only when they are valid. */
  check: string[];
  ok: boolean;
  bytes: number;
  gzipBytes: number;
}

/** Bundles `src/runtime/worker/index.ts` into `outfile` with the rule files of `rulesDir` inside. */
export async function buildWorker(options: { rulesDir: string; outfile: string }): Promise<WorkerBuild> {
  const check: string[] = [];
  // Presets the rule files extend are checked too when the build has a token to read them with.
  const env = { GITLAB_URL: process.env['GITLAB_URL'], GITLAB_TOKEN: process.env['GITLAB_TOKEN'], GITLAB_TOKEN_TYPE: process.env['GITLAB_TOKEN_TYPE'] };
  if ((await runCheck({ rules: options.rulesDir, env }, (line) => check.push(line))) !== 0) return { check, ok: false, bytes: 0, gzipBytes: 0 };

  const names = (await readdir(options.rulesDir)).filter((name) => /\.ya?ml$/i.test(name)).sort();
  const sources = await Promise.all(
    names.map(async (name) => ({ path: relative(process.cwd(), join(options.rulesDir, name)), text: await readFile(join(options.rulesDir, name), 'utf8') })),
  );
  // `import rules from 'rulebot:rules'` becomes the files' text, parsed once per isolate by the same loader as on Node.
  const rulesModule: Plugin = {
    name: 'rulebot-rules',
    setup(build) {
      build.onResolve({ filter: /^rulebot:rules$/ }, () => ({ path: 'rules', namespace: 'rulebot-rules' }));
      build.onLoad({ filter: /.*/, namespace: 'rulebot-rules' }, () => ({ contents: `export default ${JSON.stringify(sources)};`, loader: 'js' }));
    },
  };
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../src/runtime/worker/index.ts', import.meta.url))],
    outfile: options.outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'import'],
    external: ['cloudflare:*'],
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    plugins: [rulesModule],
    logLevel: 'warning',
    write: false,
  });
  let code: Uint8Array = new Uint8Array();
  for (const file of result.outputFiles) {
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(file.path, file.contents);
    if (file.path.endsWith('.js')) code = file.contents;
  }
  return { check, ok: true, bytes: code.length, gzipBytes: gzipSync(code).length };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rulesDir = process.env['RULES_DIR'] ?? 'rules';
  const outfile = process.env['WORKER_OUTFILE'] ?? 'dist/worker/index.js';
  const built = await buildWorker({ rulesDir, outfile });
  if (!built.ok) {
    for (const line of built.check) console.error(line);
    console.error('build:worker: the rules above are invalid; nothing was built');
    process.exit(1);
  }
  for (const line of built.check) console.log(line);
  console.log(`build:worker: ${outfile}: ${(built.bytes / 1024).toFixed(1)} KiB, ${(built.gzipBytes / 1024).toFixed(1)} KiB gzipped`);
}

// Bundles bench/scan-child.ts into plain JavaScript, the way `npm run build` bundles src/ for `npm start`,
// so that the scan benchmark's child runs rulebot as production does: bundled, without tsx.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD_ENTRY = 'bench/scan-child.ts';
/** Inside the repository, so that the bundle's bare imports (`--packages=external`) resolve from ./node_modules. */
const OUT_PARENT = join(ROOT, 'dist', 'bench');

export interface ScanChildBundle {
  /** The bundled child, an absolute path (with its source map next to it). */
  file: string;
  /** The esbuild flags used, those of package.json's `build` script but its `--outdir`. */
  flags: string[];
  buildMs: number;
  /** Deletes the bundle's temporary directory. */
  remove(): Promise<void>;
}

/**
 * The flags of package.json's `build` script (`esbuild <entries> --bundle --platform=node … --outdir=dist …`),
 * without its entry points and `--outdir`: the child is bundled exactly as `npm run build` bundles rulebot.
 */
export async function buildScriptFlags(): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const script = pkg.scripts?.['build'] ?? '';
  const [command, ...args] = script.trim().split(/\s+/);
  if (command !== 'esbuild' || !args.includes('--bundle')) {
    throw new Error(`scan benchmark: expected package.json's "build" script to be "esbuild … --bundle …", found ${JSON.stringify(script)}`);
  }
  return args.filter((arg) => arg.startsWith('--') && !arg.startsWith('--outdir') && !arg.startsWith('--outfile'));
}

/** Builds the child into a fresh directory under dist/bench/ (one per benchmark run, so concurrent runs do not clash). */
export async function buildScanChild(): Promise<ScanChildBundle> {
  const started = performance.now();
  const flags = await buildScriptFlags();
  await mkdir(OUT_PARENT, { recursive: true });
  const dir = await mkdtemp(join(OUT_PARENT, 'scan-child-'));
  const file = join(dir, 'scan-child.js');
  const esbuild = join(ROOT, 'node_modules', '.bin', 'esbuild');
  try {
    await promisify(execFile)(esbuild, [CHILD_ENTRY, ...flags, `--outfile=${relative(ROOT, file)}`], { cwd: ROOT });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`scan benchmark: bundling ${CHILD_ENTRY} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
  return { file, flags, buildMs: performance.now() - started, remove: () => rm(dir, { recursive: true, force: true }) };
}

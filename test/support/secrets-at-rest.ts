// Looks for secrets where they must never be: every file under a directory, every log line.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Every file under `dir` (recursively) holding any of `secrets` as bytes, with the secret found; empty when none does. */
export async function filesHolding(dir: string, secrets: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path);
    for (const secret of secrets) if (bytes.includes(Buffer.from(secret, 'utf8'))) found.push(`${path}: ${secret}`);
  }
  return found;
}

/** The number of files under `dir`, so that a check of "no file holds it" is seen to have looked at some. */
export async function fileCount(dir: string): Promise<number> {
  return (await readdir(dir, { withFileTypes: true, recursive: true })).filter((entry) => entry.isFile()).length;
}

/** Log lines holding any of `secrets`. */
export function linesHolding(lines: readonly string[], secrets: readonly string[]): string[] {
  return lines.filter((line) => secrets.some((secret) => line.includes(secret)));
}

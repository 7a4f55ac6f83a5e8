// `rulebot dead-letters [--retry ID]`: the events that failed for good, with why; and putting one back in the queue.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseConfig, secretValues } from '../../../config/config.js';
import { withBoundedErrors } from '../../../store/bounded-errors.js';
import { SqliteStore } from '../sqlite-store.js';

export async function runDeadLetters(options: { retry?: string | undefined; env: Record<string, string | undefined> }, out: (line: string) => void): Promise<number> {
  const config = parseConfig(options.env, { requireSecret: false });
  // A mistyped DATA_DIR must not show "0 dead letters" from a database made on the spot.
  if (!existsSync(join(config.dataDir, 'rulebot.sqlite'))) {
    out(`rulebot dead-letters: no rulebot database in ${resolve(config.dataDir)}: set DATA_DIR to the directory rulebot keeps its state in`);
    return 1;
  }
  // Reasons are shown as the server shows them: at most 2 KB, without the secrets configured here.
  const store = withBoundedErrors(new SqliteStore(config.dataDir), secretValues(config));
  try {
    if (options.retry !== undefined) {
      const job = await store.reviveDeadLetter(options.retry);
      if (!job) {
        out(`rulebot dead-letters: no dead letter with id "${options.retry}" in ${config.dataDir}`);
        return 1;
      }
      out(`${job.id}: queued again; a running rulebot picks it up within seconds, otherwise at its next start`);
      return 0;
    }
    const letters = await store.deadLetters();
    for (const { job, reason, failed_at } of letters) {
      const kind = readKind(job.payload);
      out(`${job.id}  ${new Date(failed_at).toISOString()}  ${kind}  project ${job.project_id}  after ${job.attempts} attempt(s)  ${reason}`);
    }
    out(`${letters.length} dead letter${letters.length === 1 ? '' : 's'} in ${config.dataDir}${letters.length > 0 ? ' (replay one with --retry ID)' : ''}`);
    return 0;
  } finally {
    await store.close();
  }
}

function readKind(payload: string): string {
  try {
    const { object_kind, object_attributes } = JSON.parse(payload) as { object_kind?: string; object_attributes?: { action?: string } };
    return [object_kind, object_attributes?.action].filter(Boolean).join('.') || 'unknown';
  } catch {
    return 'unreadable';
  }
}

// The projects of the dead letters by path, as their decision records name them: a dead letter keeps only the project's id.
import type { DeadLetter, Store } from '../../store/index.js';

/** Pages of records read at most: 2 000 dead letters; older ones are shown by project id. */
const MAX_PAGES = 10;

/**
 * `path_with_namespace` by event id, for the dead letters whose record names it (every event that
 * ran, and a payload that could not be read but named its project). Read from the records of outcome
 * `dead_letter`, newest first, a page at a time until every letter is found.
 */
export async function deadLetterProjects(store: Store, letters: readonly DeadLetter[]): Promise<Map<string, string>> {
  const paths = new Map<string, string>();
  const wanted = new Set(letters.map(({ job }) => job.id));
  let before: string | undefined;
  for (let page = 0; page < MAX_PAGES && wanted.size > 0; page++) {
    const { records, next_before } = await store.decisions({ outcome: 'dead_letter', limit: 200, before });
    for (const record of records) {
      if (!wanted.delete(record.id)) continue;
      // A record made from the dead letter alone names the project by its id only.
      if (record.project && record.project.path !== String(record.project.id)) paths.set(record.id, record.project.path);
    }
    if (next_before === null) break;
    before = next_before;
  }
  return paths;
}

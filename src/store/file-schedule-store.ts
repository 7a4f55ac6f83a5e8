// A Store that keeps schedule runs in a JSON file in DATA_DIR, so a run missed while rulebot was down is caught up.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryStore, type MemoryStoreOptions } from './memory-store.js';

/**
 * Delivery keys stay in memory (as in MemoryStore); the last run of each schedule rule is written to
 * `<dir>/schedule-runs.json`, replaced atomically (write a temporary file, then rename).
 */
export class FileScheduleStore extends MemoryStore {
  private runs: Record<string, number> | undefined;
  private readonly file: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string, options: MemoryStoreOptions = {}) {
    super(options);
    this.file = join(dir, 'schedule-runs.json');
  }

  override async lastScheduleRun(rule: string): Promise<number | undefined> {
    return (await this.load())[rule];
  }

  override async recordScheduleRun(rule: string, at: number): Promise<void> {
    const runs = await this.load();
    runs[rule] = at;
    const text = `${JSON.stringify(runs, null, 2)}\n`;
    this.writing = this.writing.then(async () => {
      await mkdir(this.dir, { recursive: true });
      await writeFile(`${this.file}.tmp`, text);
      await rename(`${this.file}.tmp`, this.file);
    });
    await this.writing;
  }

  private async load(): Promise<Record<string, number>> {
    if (this.runs) return this.runs;
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      this.runs = parsed && typeof parsed === 'object' ? Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'number')) : {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.runs = {};
    }
    return this.runs!;
  }
}

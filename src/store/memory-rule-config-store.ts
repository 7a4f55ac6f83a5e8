// Kept rule configurations in memory, for tests and the command line's one-off runs.
import { changesFile, type NewRuleConfig, type PushedChange, type RuleConfigRecord, type RuleConfigStore } from './rule-config-store.js';

export class MemoryRuleConfigStore implements RuleConfigStore {
  private readonly configs = new Map<number, RuleConfigRecord>();
  private readonly notes = new Map<string, number>();

  async ruleConfig(id: number, options: { texts: boolean }): Promise<RuleConfigRecord | undefined> {
    const config = this.configs.get(id);
    if (!config) return undefined;
    const copy = structuredClone(config);
    if (!options.texts) for (const file of [...copy.files, ...(copy.last_valid ?? [])]) file.text = undefined;
    return copy;
  }

  async saveRuleConfig(config: NewRuleConfig, expectedVersion: number | undefined): Promise<number | undefined> {
    const current = this.configs.get(config.id)?.version;
    if (current !== expectedVersion) return undefined;
    const version = (current ?? 0) + 1;
    this.configs.set(config.id, structuredClone({ ...config, version }));
    return version;
  }

  async invalidateRuleConfigs(change: PushedChange): Promise<number[]> {
    const ids: number[] = [];
    for (const config of this.configs.values()) {
      const changed = config.files.filter((file) => changesFile(change, file));
      if (changed.length === 0) continue;
      for (const file of changed) file.stale = true;
      config.version++;
      ids.push(config.id);
    }
    return ids.sort((a, b) => a - b);
  }

  async ruleConfigsWithSchedules(): Promise<RuleConfigRecord[]> {
    return [...this.configs.values()].filter((config) => config.has_schedules).sort((a, b) => a.id - b.id).map((config) => structuredClone(config));
  }

  async ruleConfigProblems(): Promise<{ configs: number; invalid: RuleConfigRecord[] }> {
    const invalid = [...this.configs.values()].filter((config) => config.problems.length > 0).sort((a, b) => a.id - b.id);
    return { configs: this.configs.size, invalid: await Promise.all(invalid.map(async (config) => (await this.ruleConfig(config.id, { texts: false }))!)) };
  }

  async configNote(projectId: number, iid: number): Promise<number | undefined> {
    return this.notes.get(`${projectId}/${iid}`);
  }

  async setConfigNote(projectId: number, iid: number, noteId: number): Promise<void> {
    this.notes.set(`${projectId}/${iid}`, noteId);
  }
}

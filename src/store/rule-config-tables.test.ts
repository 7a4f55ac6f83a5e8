import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../runtime/node/sqlite-store.js';
import { MemoryRuleConfigStore } from './memory-rule-config-store.js';
import type { ConfigFileRecord, NewRuleConfig, RuleConfigStore } from './rule-config-store.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const STORES: { name: string; open(): Promise<RuleConfigStore & { close?(): Promise<void> }> }[] = [
  { name: 'SQLite', open: async () => new SqliteStore((dir = await mkdtemp(join(tmpdir(), 'rulebot-configs-')))) },
  { name: 'memory', open: async () => new MemoryRuleConfigStore() },
];

const file = (name: string, project: string, path: string, ref = '', text: string | null = 'rules: []\n'): ConfigFileRecord => ({
  name, project, path, ref, text, read_at: 1_000, blob_id: 'b', commit_id: 'c', stale: false,
});

const config = (id: number, files: ConfigFileRecord[], extra: Partial<NewRuleConfig> = {}): NewRuleConfig => ({
  id, project: `acme/p${id}`, checked_at: 1_000, files, problems: [], last_valid: undefined, has_schedules: false, digest: undefined, ...extra,
});

describe.each(STORES)('kept rule configurations ($name)', ({ open }) => {
  it('saves only over the version it read, and reads with or without the texts', async () => {
    const store = await open();
    const files = [file('acme/p7:.gitlab/rulebot.yml', 'acme/p7', '.gitlab/rulebot.yml'), file('acme/c:base.yml@v1', 'acme/c', 'base.yml', 'v1', 'x'.repeat(60_000))];
    expect(await store.saveRuleConfig(config(7, files), undefined)).toBe(1);
    expect(await store.saveRuleConfig(config(7, files), undefined)).toBeUndefined();
    expect(await store.ruleConfig(7, { texts: true })).toMatchObject({ id: 7, version: 1, files, last_valid: undefined });
    expect((await store.ruleConfig(7, { texts: false }))?.files.map((f) => f.text)).toEqual([undefined, undefined]);
    expect(await store.saveRuleConfig(config(7, files, { problems: [{ text: 'bad', project: 'acme/p7' }], last_valid: files }), 1)).toBe(2);
    expect(await store.ruleConfig(7, { texts: true })).toMatchObject({ version: 2, problems: [{ text: 'bad', project: 'acme/p7' }], last_valid: files });
    expect(await store.ruleConfig(8, { texts: false })).toBeUndefined();
    await store.close?.();
  });

  it('marks the files a push changed as stale, on their branch or the default branch, and moves those configurations on', async () => {
    const store = await open();
    await store.saveRuleConfig(config(1, [file('acme/p1:.gitlab/rulebot.yml', 'acme/p1', '.gitlab/rulebot.yml'), file('acme/c:base.yml', 'acme/c', 'base.yml')]), undefined);
    await store.saveRuleConfig(config(2, [file('acme/p2:.gitlab/rulebot.yml', 'acme/p2', '.gitlab/rulebot.yml'), file('acme/c:base.yml@v1', 'acme/c', 'base.yml', 'v1')]), undefined);
    expect(await store.invalidateRuleConfigs({ project: 'Acme/C', ref: 'main', defaultBranch: true, paths: ['README.md'] })).toEqual([]);
    expect(await store.invalidateRuleConfigs({ project: 'acme/c', ref: 'feature', defaultBranch: false, paths: ['base.yml'] })).toEqual([]);
    expect(await store.invalidateRuleConfigs({ project: 'Acme/C', ref: 'main', defaultBranch: true, paths: ['base.yml'] })).toEqual([1]);
    expect(await store.invalidateRuleConfigs({ project: 'acme/c', ref: 'v1', defaultBranch: false, paths: 'all' })).toEqual([2]);
    const [one, two] = [await store.ruleConfig(1, { texts: false }), await store.ruleConfig(2, { texts: false })];
    expect([one?.version, one?.files.map((f) => f.stale)]).toEqual([2, [false, true]]);
    expect([two?.version, two?.files.map((f) => f.stale)]).toEqual([2, [false, true]]);
    // A save that read version 1 does not overwrite what the push marked.
    expect(await store.saveRuleConfig(config(1, []), 1)).toBeUndefined();
    await store.close?.();
  });

  it('lists the configurations with schedule rules and those with problems, and keeps config-check comments', async () => {
    const store = await open();
    await store.saveRuleConfig(config(1, [], { has_schedules: true }), undefined);
    await store.saveRuleConfig(config(2, [], { problems: [{ text: 'bad', project: 'acme/p2' }] }), undefined);
    expect((await store.ruleConfigsWithSchedules()).map((c) => c.id)).toEqual([1]);
    expect(await store.ruleConfigProblems()).toMatchObject({ configs: 2, invalid: [{ id: 2, project: 'acme/p2' }] });
    expect(await store.configNote(1, 5)).toBeUndefined();
    await store.setConfigNote(1, 5, 30_001);
    expect(await store.configNote(1, 5)).toBe(30_001);
    await store.close?.();
  });
});

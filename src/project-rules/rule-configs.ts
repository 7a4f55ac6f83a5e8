// The rules an event runs: the central ones and its project's own, read from GitLab once, kept in the store, used while fresh.
import type { GitLabClient } from '../gitlab/index.js';
import type { Logger } from '../log.js';
import type { RuleEvent } from '../event/event.js';
import { readProjectRuleKey, RuleSet, type CentralRules, type Rule } from '../rules/index.js';
import type { RuleConfigRecord, RuleConfigStore } from '../store/index.js';
import { compileKept, digestOf, rereadConfig, type Refreshed } from './reread-config.js';
import { fileIsFresh, readConfig, type ConfigOwner } from './read-config.js';

export interface RuleConfigsOptions {
  central: CentralRules;
  /** The file of each project holding its own rules (PROJECT_CONFIG_FILE); undefined: projects have none. */
  file: string | undefined;
  /** How long a preset of another project is used before it is read again. */
  ttlMs: number;
  store: RuleConfigStore;
  log: Logger;
  now: () => number;
  /** Why GitLab is not asked at all (no token): then projects have no rules of their own, and presets are left out. */
  offline: string | undefined;
  /**
   * Let events of one process wait for a reading another started (Node). Never on Workers: a request
   * must not wait on a promise another request made.
   */
  shareReads: boolean;
}

/** The kept configuration's id of the central rules' presets; projects use their own ids. */
export const CENTRAL = 0;
/** Compiled configurations remembered per process or isolate. */
const MEMO_SIZE = 1000;

export type { Refreshed };

export class RuleConfigs {
  private readonly compiled = new Map<number, { version: number; rules: Rule[] }>();
  private readonly combined = new Map<number, { central: RuleSet; own: Rule[]; set: RuleSet }>();
  private readonly readings = new Map<number, Promise<Refreshed>>();
  private centralSet: { rules: Rule[]; set: RuleSet } | undefined;
  private warnedOffline = false;

  constructor(private readonly options: RuleConfigsOptions) {}

  /** The file each project's rules are read from, or undefined when projects have none. */
  get file(): string | undefined {
    return this.options.file;
  }

  get store(): RuleConfigStore {
    return this.options.store;
  }

  /** Why GitLab is not asked at all, when it is not (no token). */
  get offline(): string | undefined {
    return this.options.offline;
  }

  /** The clock and TTL readings of files go by. */
  readDeps(gitlab: GitLabClient): { gitlab: GitLabClient; now: number; ttlMs: number } {
    return { gitlab, now: this.options.now(), ttlMs: this.options.ttlMs };
  }

  /**
   * The rules for an event: the central ones, then its project's own (which fire after them). Nothing
   * is read from GitLab while what is kept is fresh: a project's own files until a push changes them,
   * presets of other projects for the TTL.
   */
  async rulesFor(event: RuleEvent, gitlab: GitLabClient): Promise<RuleSet> {
    const central = await this.centralRules(gitlab);
    if (!this.options.file) return central;
    const own = await this.projectRules(event.project, gitlab);
    if (own.length === 0) return central;
    const hit = this.combined.get(event.project.id);
    if (hit && hit.central === central && hit.own === own) return hit.set;
    const set = new RuleSet([...central.rules, ...own], [...central.labels.values()]);
    remember(this.combined, event.project.id, { central, own, set });
    return set;
  }

  /** The central rules, with their presets read (and kept) when the files extend any. */
  async centralRules(gitlab: GitLabClient): Promise<RuleSet> {
    const { central } = this.options;
    if (!central.presets) return central.ruleSet;
    if (this.options.offline && !this.warnedOffline) {
      this.warnedOffline = true;
      this.options.log.warn(`rule files extend presets, which are not read (${this.options.offline}): their rules are left out`);
    }
    const rules = await this.inForce(CENTRAL, { central: central.sources }, gitlab);
    if (this.centralSet?.rules !== rules) this.centralSet = { rules, set: new RuleSet(rules, central.labels) };
    return this.centralSet.set;
  }

  /** A project's own rules in force: from its file when valid, else from its last valid one, else none. */
  projectRules(project: { id: number; path_with_namespace: string }, gitlab: GitLabClient): Promise<Rule[]> {
    return this.inForce(project.id, this.projectOwner(project), gitlab);
  }

  /** Reads a configuration again now (a push changed it), keeps it, and says what it found. */
  refresh(id: number, owner: ConfigOwner, gitlab: GitLabClient): Promise<Refreshed> {
    const running = this.readings.get(id);
    if (running) return running;
    const reading = this.read(id, owner, gitlab);
    if (this.options.shareReads) {
      this.readings.set(id, reading);
      const forget = () => this.readings.delete(id);
      reading.then(forget, forget);
    }
    return reading;
  }

  projectOwner(project: { id: number; path_with_namespace: string }): ConfigOwner {
    return { project: { id: project.id, path: project.path_with_namespace }, file: this.options.file ?? '' };
  }

  /**
   * Schedule rules beyond the central files': those of the central presets and of every project
   * whose configuration is kept (read on an event of that project). Reads nothing from GitLab but
   * the central presets when their TTL has passed.
   */
  async dynamicScheduleRules(gitlab: GitLabClient): Promise<Rule[]> {
    const central = this.options.central.presets ? (await this.centralRules(gitlab)).rules.filter((rule) => rule.schedule) : [];
    if (!this.options.file || this.options.offline) return central;
    const own: Rule[] = [];
    for (const config of await this.options.store.ruleConfigsWithSchedules()) {
      if (config.id === CENTRAL) continue;
      const rules = await this.compiledRules(config, this.projectOwner({ id: config.id, path_with_namespace: config.project }));
      own.push(...rules.filter((rule) => rule.schedule));
    }
    return [...central, ...own];
  }

  /** A schedule rule by its key (`rule.key`), wherever it is defined; undefined when it is gone. */
  async scheduleRule(key: string, gitlab: GitLabClient): Promise<Rule | undefined> {
    const central = await this.centralRules(gitlab);
    const found = central.rules.find((rule) => rule.key === key && rule.schedule);
    const project = readProjectRuleKey(key);
    if (found || !project || !this.options.file) return found;
    const config = await this.options.store.ruleConfig(project.projectId, { texts: true });
    if (!config) return undefined;
    const rules = await this.compiledRules(config, this.projectOwner({ id: config.id, path_with_namespace: config.project }));
    return rules.find((rule) => rule.key === key && rule.schedule);
  }

  /** For `GET /status`: how many configurations are kept, and every one whose last reading has problems. */
  async status(): Promise<object> {
    const { configs, invalid } = await this.options.store.ruleConfigProblems();
    return {
      file: this.options.file ?? 'off',
      configurations: configs,
      invalid: invalid.map((config) => ({
        project: config.id === CENTRAL ? '(the central rule files\' presets)' : config.project,
        project_id: config.id === CENTRAL ? undefined : config.id,
        problems: config.problems.map((problem) => problem.text),
        commit: config.files[0]?.commit_id,
        checked_at: new Date(config.checked_at).toISOString(),
        in_force: config.last_valid ? 'the last valid configuration' : 'no rules of its own',
      })),
    };
  }

  /** The rules in force for a configuration, from what is kept when it is fresh, read again when not. */
  private async inForce(id: number, owner: ConfigOwner, gitlab: GitLabClient): Promise<Rule[]> {
    const { store, now, ttlMs } = this.options;
    const kept = await store.ruleConfig(id, { texts: false });
    const ownProject = 'project' in owner ? owner.project.path : undefined;
    const fresh = kept && kept.digest === digestOf(owner) && kept.files.every((file) => fileIsFresh(file, ownProject, { now: now(), ttlMs }));
    // Without GitLab, what is kept is used however old (`rulebot simulate --project-config` keeps a local file).
    if (kept && (fresh || this.options.offline)) {
      const memo = this.compiled.get(id);
      if (memo?.version === kept.version) return memo.rules;
      const full = await store.ruleConfig(id, { texts: true });
      if (full) return this.compiledRules(full, owner);
    }
    if (this.options.offline) {
      // Nothing can be read: a project has no rules of its own but those kept, and the central files run without their presets.
      if (!('central' in owner)) return [];
      const memo = this.compiled.get(id);
      if (memo) return memo.rules;
      const { rules } = (await readConfig(owner, [], { gitlab: undefined, offline: this.options.offline, now: now(), ttlMs })).loaded;
      remember(this.compiled, id, { version: -1, rules });
      return rules;
    }
    return (await this.refresh(id, owner, gitlab)).rules;
  }

  private async read(id: number, owner: ConfigOwner, gitlab: GitLabClient): Promise<Refreshed> {
    const { store, now, ttlMs, log } = this.options;
    const refreshed = await rereadConfig(id, owner, { store, gitlab, now: now(), ttlMs, log });
    // Saved over the state it read: remembered under its version. Otherwise a push (or another reader)
    // changed it meanwhile: this event uses what it read, and the next one reads again.
    if (refreshed.version !== undefined) remember(this.compiled, id, { version: refreshed.version, rules: refreshed.rules });
    return refreshed;
  }

  private async compiledRules(config: RuleConfigRecord, owner: ConfigOwner): Promise<Rule[]> {
    const memo = this.compiled.get(config.id);
    if (memo?.version === config.version) return memo.rules;
    const files = config.problems.length === 0 ? config.files : config.last_valid;
    const rules = files ? await compileKept(owner, files, this.options.log) : [];
    remember(this.compiled, config.id, { version: config.version, rules });
    return rules;
  }

}

function remember<V>(map: Map<number, V>, key: number, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MEMO_SIZE) map.delete(map.keys().next().value!);
}

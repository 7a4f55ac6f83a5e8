// Node's schedule: runs schedule rules on their cron (UTC): never two runs of one rule at once, and a run missed while down once at start.
import { Cron } from 'croner';
import type { Logger } from '../../log.js';
import type { Rule } from '../../rules/index.js';
import type { Store } from '../../store/index.js';
import { dueRules, summary } from '../../schedule/due-rules.js';
import type { ScanReport } from '../../schedule/scan.js';

export interface SchedulerOptions {
  rules: readonly Rule[];
  /**
   * Schedule rules that come and go while rulebot runs (from presets and projects' own files): asked
   * for every minute, and run when their cron fired since the minute before.
   */
  dynamic?: () => Promise<Rule[]>;
  run: (rule: Rule) => Promise<ScanReport>;
  store: Store;
  log: Logger;
  now?: () => number;
}

export type RunResult = { ran: true; report: ScanReport } | { ran: false; reason: string };

export class Scheduler {
  private readonly running = new Set<string>();
  private readonly jobs: Cron[] = [];
  private readonly now: () => number;
  private stopped = false;
  private lastTick = 0;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Catches up runs missed while rulebot was down (each rule once), then starts every rule's cron. */
  async start(): Promise<void> {
    const dynamic = await this.dynamicRules();
    this.lastTick = this.now();
    for (const { rule, last } of await dueRules([...this.scheduled(), ...dynamic], this.options.store, this.lastTick)) {
      this.options.log.info('schedule: catching up a missed run', { rule: rule.key, last_run: new Date(last!).toISOString() });
      void this.runRule(rule);
    }
    for (const rule of this.scheduled()) {
      this.jobs.push(new Cron(rule.schedule!.cron, { timezone: 'UTC' }, () => void this.runNow(rule.name)));
    }
    if (this.options.dynamic) this.jobs.push(new Cron('* * * * *', { timezone: 'UTC' }, () => void this.tick()));
  }

  /** Runs the dynamic schedule rules whose cron fired since the last tick. */
  async tick(): Promise<void> {
    const at = this.now();
    const since = this.lastTick;
    this.lastTick = at;
    for (const { rule } of await dueRules(await this.dynamicRules(), this.options.store, at, since)) void this.runRule(rule);
  }

  private async dynamicRules(): Promise<Rule[]> {
    try {
      return (await this.options.dynamic?.()) ?? [];
    } catch (error) {
      this.options.log.error('schedule: the schedule rules of presets and projects could not be read', { error });
      return [];
    }
  }

  /** Starts no more runs; a run under way goes on until rulebot stops. */
  stop(): void {
    this.stopped = true;
    for (const job of this.jobs.splice(0)) job.stop();
  }

  /** Runs one rule now unless a run of it is already going on. */
  async runNow(name: string): Promise<RunResult> {
    const rule = this.scheduled().find((candidate) => candidate.name === name);
    if (!rule) return { ran: false, reason: `no schedule rule named "${name}"` };
    return this.runRule(rule);
  }

  /** Runs a schedule rule (of the rule files, a preset or a project) now unless a run of it is going on. */
  async runRule(rule: Rule): Promise<RunResult> {
    const name = rule.key;
    if (this.running.has(name)) {
      this.options.log.warn('schedule: previous run still going, skipped', { rule: name });
      return { ran: false, reason: 'a run of this rule is still going on' };
    }
    this.running.add(name);
    try {
      await this.options.store.recordScheduleRun(name, this.now());
      const report = await this.options.run(rule);
      this.options.log.info('schedule: run finished', summary(report));
      return { ran: true, report };
    } catch (error) {
      // Stopping cuts the GitLab calls under way: the run ends early, and the rule's next cron runs it again.
      if (this.stopped) this.options.log.warn('schedule: run cut short by stopping', { rule: name, error });
      else this.options.log.error('schedule: run failed', { rule: name, error });
      return { ran: false, reason: error instanceof Error ? error.message : String(error) };
    } finally {
      this.running.delete(name);
    }
  }

  private scheduled(): Rule[] {
    return this.options.rules.filter((rule) => rule.schedule !== undefined);
  }
}

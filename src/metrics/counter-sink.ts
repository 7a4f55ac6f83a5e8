// Counts kept as samples to be added elsewhere: the Worker adds each invocation's counts to the store object's counters.
import { DURATION_BUCKETS, METRICS, statusLabel, type Metrics } from './metrics.js';

/** One series of a counter: `name` with its label set, and how much to add. */
export interface CounterSample {
  name: string;
  /** Label pairs in a fixed order, e.g. `[["outcome", "done"]]`. */
  labels: [string, string][];
  value: number;
}

/**
 * A Metrics that only adds up, for a runtime whose processes cannot each expose their own counts
 * (Worker isolates come and go, and a scrape reaches one of them): `take()` hands over what was
 * counted since the last take, to be added to shared counters. A histogram is kept as its
 * cumulative `_bucket` series, `_sum` and `_count`, so adding samples keeps it valid.
 */
export class CounterSink implements Metrics {
  private pending = new Map<string, CounterSample>();

  webhook(kind: string, status: string): void {
    this.add(METRICS.webhooks.name, [['kind', kind], ['status', status]]);
  }

  eventProcessed(outcome: string): void {
    this.add(METRICS.events.name, [['outcome', outcome]]);
  }

  ruleFired(rule: string): void {
    this.add(METRICS.rules.name, [['rule', rule]]);
  }

  gitlabRequest(method: string, status: number, seconds: number): void {
    this.add(METRICS.gitlabRequests.name, [['method', method], ['status', statusLabel(status)]]);
    const name = METRICS.gitlabDuration.name;
    for (const le of DURATION_BUCKETS) if (seconds <= le) this.add(`${name}_bucket`, [['le', String(le)]]);
    this.add(`${name}_bucket`, [['le', '+Inf']]);
    this.add(`${name}_sum`, [], seconds);
    this.add(`${name}_count`, []);
  }

  rateBudgetWait(seconds: number): void {
    if (seconds > 0) this.add(METRICS.budgetWait.name, [], seconds);
  }

  scheduleRun(rule: string, outcome: 'done' | 'failed'): void {
    this.add(METRICS.scheduleRuns.name, [['rule', rule], ['outcome', outcome]]);
  }

  /** What was counted since the last take; counting starts again from nothing. */
  take(): CounterSample[] {
    const samples = [...this.pending.values()];
    this.pending = new Map();
    return samples;
  }

  /** Gives back samples that could not be added where they were sent, to go with the next take. */
  putBack(samples: readonly CounterSample[]): void {
    for (const sample of samples) this.add(sample.name, sample.labels, sample.value);
  }

  private add(name: string, labels: [string, string][], value = 1): void {
    const key = seriesKey(name, labels);
    const sample = this.pending.get(key);
    if (sample) sample.value += value;
    else this.pending.set(key, { name, labels, value });
  }
}

/** The series in the text format's notation, also its identity: `name{a="x",b="y"}`. */
export function seriesKey(name: string, labels: readonly (readonly [string, string])[]): string {
  if (labels.length === 0) return name;
  return `${name}{${labels.map(([label, value]) => `${label}="${escapeLabel(value)}"`).join(',')}}`;
}

/** A label value as the text format writes it: backslash, double quote and newline escaped. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

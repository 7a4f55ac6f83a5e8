// Node's /metrics: prom-client counters and a histogram under the names of metrics/metrics.ts, gauges read from the store at scrape time.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DURATION_BUCKETS, METRICS, statusLabel, type Metrics } from '../../metrics/index.js';
import type { QueueStats } from '../../store/index.js';

export interface PrometheusMetrics {
  metrics: Metrics;
  /** The text format of every metric, gauges read now. */
  render(): Promise<{ contentType: string; text: string }>;
}

/**
 * One registry per process (not prom-client's global one: no module-level state). The queue gauges
 * read the store's figures once per scrape.
 */
export function createPrometheusMetrics(queueStats: () => Promise<QueueStats>, now: () => number = Date.now): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  const counter = <L extends string>(def: { name: string; help: string; labels: readonly L[] }) =>
    new Counter<L>({ name: def.name, help: def.help, labelNames: def.labels, registers });
  const webhooks = counter(METRICS.webhooks);
  const events = counter(METRICS.events);
  const rules = counter(METRICS.rules);
  const requests = counter(METRICS.gitlabRequests);
  const duration = new Histogram({ name: METRICS.gitlabDuration.name, help: METRICS.gitlabDuration.help, buckets: [...DURATION_BUCKETS], registers });
  // One read of the store per scrape, shared by the three gauges.
  let stats: Promise<QueueStats> | undefined;
  const read = () => (stats ??= queueStats().finally(() => setTimeout(() => (stats = undefined), 0)));
  new Gauge({ name: METRICS.queueDepth.name, help: METRICS.queueDepth.help, registers, async collect() { this.set((await read()).depth); } });
  new Gauge({
    name: METRICS.oldestPending.name, help: METRICS.oldestPending.help, registers,
    async collect() {
      const oldest = (await read()).oldest_pending_at;
      this.set(oldest === undefined ? 0 : Math.max(0, (now() - oldest) / 1000));
    },
  });
  new Gauge({ name: METRICS.deadLetters.name, help: METRICS.deadLetters.help, registers, async collect() { this.set((await read()).dead_letters); } });
  const budgetWait = counter(METRICS.budgetWait);
  budgetWait.inc(0);
  const scheduleRuns = counter(METRICS.scheduleRuns);

  // Counting runs for every webhook: each label set's child is looked up once, not hashed per call.
  const webhook = children((kind: string, status: string) => webhooks.labels(kind, status));
  const event = children((outcome: string) => events.labels(outcome));
  const rule = children((name: string) => rules.labels(name));
  const request = children((method: string, status: string) => requests.labels(method, status));
  return {
    metrics: {
      webhook: (kind, status) => webhook(kind, status).inc(),
      eventProcessed: (outcome) => event(outcome).inc(),
      ruleFired: (name) => rule(name).inc(),
      gitlabRequest: (method, status, seconds) => {
        request(method, statusLabel(status)).inc();
        duration.observe(seconds);
      },
      rateBudgetWait: (seconds) => budgetWait.inc(seconds),
      scheduleRun: (rule, outcome) => scheduleRuns.inc({ rule, outcome }),
    },
    async render() {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}

/** `make(...labels)`, remembered per label values. */
function children<A extends string[], C>(make: (...labels: A) => C): (...labels: A) => C {
  const made = new Map<string, C>();
  return (...labels) => {
    const key = labels.join('\u0000');
    let child = made.get(key);
    if (!child) made.set(key, (child = make(...labels)));
    return child;
  };
}

// The Prometheus text format (version 0.0.4) from stored counter series and gauges read at scrape time.
import { DURATION_BUCKETS, METRICS, type MetricDefinition } from './metrics.js';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The gauges read when scraped: the queue as the store shows it. */
export interface QueueGauges {
  depth: number;
  oldestPendingSeconds: number;
  deadLetters: number;
}

/**
 * Renders every metric of METRICS, with `# HELP` and `# TYPE`, from `series` (`name{labels}` → value,
 * as kept by the store object) and the queue's gauges. A metric nobody counted yet is shown with its
 * header only, as prom-client does for labelled metrics, or at 0 when it has no labels.
 */
export function renderText(series: ReadonlyMap<string, number>, gauges: QueueGauges): string {
  const lines: string[] = [];
  const gaugeValues: Record<string, number> = {
    [METRICS.queueDepth.name]: gauges.depth,
    [METRICS.oldestPending.name]: gauges.oldestPendingSeconds,
    [METRICS.deadLetters.name]: gauges.deadLetters,
  };
  for (const metric of Object.values(METRICS) as MetricDefinition[]) {
    lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`);
    if (metric.type === 'gauge') {
      lines.push(`${metric.name} ${gaugeValues[metric.name] ?? 0}`);
      continue;
    }
    const names = metric.type === 'histogram' ? [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`] : [metric.name];
    const own = [...series].filter(([key]) => names.some((name) => key === name || key.startsWith(`${name}{`)));
    if (metric.type === 'histogram') {
      // Every bucket is shown, at 0 until something falls in it, as histogram_quantile() expects.
      const empty = [...DURATION_BUCKETS.map(String), '+Inf'].map((le) => `${metric.name}_bucket{le="${le}"}`);
      for (const key of [...empty, `${metric.name}_sum`, `${metric.name}_count`]) if (!series.has(key)) own.push([key, 0]);
    }
    if (own.length === 0 && metric.labels.length === 0 && metric.type === 'counter') lines.push(`${metric.name} 0`);
    own.sort(([a], [b]) => compareSeries(a, b, names));
    for (const [key, value] of own) lines.push(`${key} ${formatNumber(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Histogram series in the usual order: buckets by bound, then sum, then count; others by name. */
function compareSeries(a: string, b: string, names: string[]): number {
  const rank = (key: string) => names.findIndex((name) => key === name || key.startsWith(`${name}{`));
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const le = (key: string) => {
    const bound = /le="([^"]+)"/.exec(key)?.[1];
    return bound === undefined ? 0 : bound === '+Inf' ? Number.POSITIVE_INFINITY : Number(bound);
  };
  return le(a) - le(b) || a.localeCompare(b);
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
}

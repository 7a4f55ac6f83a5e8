import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CounterSink, seriesKey } from './counter-sink.js';
import { METRICS, webhookKind } from './metrics.js';
import { renderText } from './render-text.js';

/** What the store object would hold after adding `sink`'s samples. */
function stored(...sinks: CounterSink[]): Map<string, number> {
  const series = new Map<string, number>();
  for (const sink of sinks) for (const sample of sink.take()) {
    const key = seriesKey(sample.name, sample.labels);
    series.set(key, (series.get(key) ?? 0) + sample.value);
  }
  return series;
}

describe('counts added up across Worker invocations', () => {
  it('render in the text format, histograms cumulative, labels escaped', () => {
    const first = new CounterSink();
    const second = new CounterSink();
    first.webhook('merge_request', 'accepted');
    second.webhook('merge_request', 'accepted');
    first.ruleFired('say "hi"\\now');
    first.gitlabRequest('PUT', 200, 0.07);
    second.gitlabRequest('GET', 0, 3);
    second.rateBudgetWait(0.25);
    const text = renderText(stored(first, second), { depth: 2, oldestPendingSeconds: 12.5, deadLetters: 1 });
    const lines = text.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '# TYPE rulebot_webhooks_total counter',
        'rulebot_webhooks_total{kind="merge_request",status="accepted"} 2',
        'rulebot_rule_fired_total{rule="say \\"hi\\"\\\\now"} 1',
        'rulebot_gitlab_requests_total{method="PUT",status="200"} 1',
        'rulebot_gitlab_requests_total{method="GET",status="network_error"} 1',
        'rulebot_queue_depth 2',
        'rulebot_oldest_pending_seconds 12.5',
        'rulebot_dead_letters 1',
        'rulebot_rate_budget_wait_seconds_total 0.25',
      ]),
    );
    const buckets = lines.filter((line) => line.startsWith('rulebot_gitlab_request_duration_seconds_bucket'));
    expect(buckets).toEqual([
      'rulebot_gitlab_request_duration_seconds_bucket{le="0.05"} 0',
      'rulebot_gitlab_request_duration_seconds_bucket{le="0.1"} 1',
      'rulebot_gitlab_request_duration_seconds_bucket{le="0.25"} 1',
      'rulebot_gitlab_request_duration_seconds_bucket{le="0.5"} 1',
      'rulebot_gitlab_request_duration_seconds_bucket{le="1"} 1',
      'rulebot_gitlab_request_duration_seconds_bucket{le="2.5"} 1',
      'rulebot_gitlab_request_duration_seconds_bucket{le="5"} 2',
      'rulebot_gitlab_request_duration_seconds_bucket{le="10"} 2',
      'rulebot_gitlab_request_duration_seconds_bucket{le="30"} 2',
      'rulebot_gitlab_request_duration_seconds_bucket{le="+Inf"} 2',
    ]);
    expect(lines).toContain('rulebot_gitlab_request_duration_seconds_count 2');
    expect(lines).toContain('rulebot_gitlab_request_duration_seconds_sum 3.07');
  });

  it('shows a histogram nobody observed with every bucket at 0', () => {
    const lines = renderText(new Map(), { depth: 0, oldestPendingSeconds: 0, deadLetters: 0 }).split('\n');
    expect(lines.filter((line) => line.startsWith('rulebot_gitlab_request_duration_seconds'))).toHaveLength(12);
    expect(lines).toContain('rulebot_gitlab_request_duration_seconds_bucket{le="+Inf"} 0');
  });

  it('gives back what could not be added, to go with the next take', () => {
    const sink = new CounterSink();
    sink.eventProcessed('done');
    const taken = sink.take();
    expect(sink.take()).toEqual([]);
    sink.putBack(taken);
    sink.eventProcessed('done');
    expect(sink.take()).toEqual([{ name: 'rulebot_events_processed_total', labels: [['outcome', 'done']], value: 2 }]);
  });

  it('counts webhooks under GitLab\'s kinds only, never a header\'s own text', () => {
    expect(webhookKind('Merge Request Hook')).toBe('merge_request');
    expect(webhookKind('confidential note hook')).toBe('note');
    expect(webhookKind('<script> Hook')).toBe('other');
    expect(webhookKind('constructor')).toBe('other');
    expect(webhookKind('__proto__')).toBe('other');
    expect(webhookKind(undefined)).toBe('none');
  });
});

describe('the example Grafana dashboard', () => {
  it('asks only for metrics rulebot exposes, and shows each of them', () => {
    const dashboard = readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8');
    const used = new Set<string>([...dashboard.matchAll(/\brulebot_[a-z_]+/g)].map((match) => match[0].replace(/_(bucket|sum|count)$/, '')));
    const exposed = new Set<string>(Object.values(METRICS).map((metric) => metric.name));
    expect([...used].filter((name) => !exposed.has(name))).toEqual([]);
    expect([...exposed].filter((name) => !used.has(name))).toEqual([]);
  });
});

// Metrics: what rulebot counts, the text format, and the counting of event outcomes.
export { DURATION_BUCKETS, METRICS, noMetrics, statusLabel, webhookKind, type MetricDefinition, type Metrics } from './metrics.js';
export { CounterSink, escapeLabel, seriesKey, type CounterSample } from './counter-sink.js';
export { renderText, TEXT_CONTENT_TYPE, type QueueGauges } from './render-text.js';
export { countOutcomes } from './count-outcomes.js';

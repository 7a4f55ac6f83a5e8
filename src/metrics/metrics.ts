// What rulebot counts, under which names: one definition for prom-client on Node and the store's counters on Workers.

/** Where counts go. Every method is cheap and synchronous: it runs on the way of webhooks and GitLab calls. */
export interface Metrics {
  /** A webhook delivery answered: its kind (from `X-Gitlab-Event`) and what became of it (`accepted`, `duplicate`, `ignored`, `dead_letter`, or the error code). */
  webhook(kind: string, status: string): void;
  /** An event's attempt ended: `done`, `retrying`, `dead_letter`, `ignored`, `duplicate`. */
  eventProcessed(outcome: string): void;
  /** A rule fired on an event that was done. */
  ruleFired(rule: string): void;
  /** One HTTP request to GitLab answered (status 0: no answer), and how long it took. */
  gitlabRequest(method: string, status: number, seconds: number): void;
  /** Time a GitLab call waited for the rate budget. */
  rateBudgetWait(seconds: number): void;
  /** A schedule run ended. */
  scheduleRun(rule: string, outcome: 'done' | 'failed'): void;
}

/** Counts nothing (tools, tests that do not look). */
export const noMetrics: Metrics = {
  webhook: () => {},
  eventProcessed: () => {},
  ruleFired: () => {},
  gitlabRequest: () => {},
  rateBudgetWait: () => {},
  scheduleRun: () => {},
};

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDefinition {
  name: string;
  help: string;
  type: MetricType;
  labels: readonly string[];
}

/** Every metric rulebot exposes on `/metrics`, in the order it is shown. */
export const METRICS = {
  webhooks: { name: 'rulebot_webhooks_total', type: 'counter', labels: ['kind', 'status'], help: 'Webhook deliveries answered, by kind (X-Gitlab-Event) and what became of them' },
  events: { name: 'rulebot_events_processed_total', type: 'counter', labels: ['outcome'], help: 'Event attempts ended, by outcome (done, retrying, dead_letter, ignored, duplicate)' },
  rules: { name: 'rulebot_rule_fired_total', type: 'counter', labels: ['rule'], help: 'Rules fired on events that were done' },
  gitlabRequests: { name: 'rulebot_gitlab_requests_total', type: 'counter', labels: ['method', 'status'], help: 'HTTP requests to GitLab answered, by method and status (network_error: no answer)' },
  gitlabDuration: { name: 'rulebot_gitlab_request_duration_seconds', type: 'histogram', labels: [], help: 'Time GitLab took to answer one HTTP request' },
  queueDepth: { name: 'rulebot_queue_depth', type: 'gauge', labels: [], help: 'Accepted events not finished yet (waiting, running or waiting for a retry)' },
  oldestPending: { name: 'rulebot_oldest_pending_seconds', type: 'gauge', labels: [], help: 'Age of the oldest accepted event not finished yet (0 when none)' },
  deadLetters: { name: 'rulebot_dead_letters', type: 'gauge', labels: [], help: 'Events kept as dead letters' },
  budgetWait: { name: 'rulebot_rate_budget_wait_seconds_total', type: 'counter', labels: [], help: 'Time GitLab calls waited for the rate budget (GITLAB_REQUESTS_PER_MINUTE, GitLab asking to slow down)' },
  scheduleRuns: { name: 'rulebot_schedule_runs_total', type: 'counter', labels: ['rule', 'outcome'], help: 'Schedule runs ended, by rule and outcome (done, failed)' },
} as const satisfies Record<string, MetricDefinition>;

/** Upper bounds of the GitLab request duration histogram, in seconds. */
export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** The status label of a GitLab request: the HTTP status, or `network_error` when no answer came. */
export function statusLabel(status: number): string {
  return status === 0 ? 'network_error' : String(status);
}

/** `X-Gitlab-Event` values (doc/user/project/integrations/webhook_events.md) and the kind each is counted under. */
const HOOK_KIND_NAMES: Record<string, string> = {
  'merge request hook': 'merge_request',
  'issue hook': 'issue',
  'confidential issue hook': 'issue',
  'note hook': 'note',
  'confidential note hook': 'note',
  'push hook': 'push',
  'tag push hook': 'tag_push',
  'pipeline hook': 'pipeline',
  'job hook': 'job',
  'emoji hook': 'emoji',
  'release hook': 'release',
  'deployment hook': 'deployment',
  'wiki page hook': 'wiki_page',
  'feature flag hook': 'feature_flag',
  'member hook': 'member',
  'project hook': 'project',
  'subgroup hook': 'subgroup',
  'resource access token hook': 'access_token',
  'system hook': 'system',
  'work item hook': 'work_item',
  'vulnerability hook': 'vulnerability',
  'milestone hook': 'milestone',
};

/** The same, also under the spelling GitLab sends (`Merge Request Hook`); a Map, so that no header can name an object's own property. */
const HOOK_KINDS = new Map(
  Object.entries(HOOK_KIND_NAMES).flatMap(([name, kind]) => [[name, kind], [name.replace(/\b\w/g, (letter) => letter.toUpperCase()), kind]] as const),
);

/** The kind label of a delivery, from its header: a known GitLab event, `other`, or `none` without the header. Never the header's own text: anyone may send it. */
export function webhookKind(header: string | null | undefined): string {
  if (!header) return 'none';
  // GitLab writes them one way (`Merge Request Hook`): looked up as sent first, without making a new string.
  return HOOK_KINDS.get(header) ?? HOOK_KINDS.get(header.trim().toLowerCase()) ?? 'other';
}

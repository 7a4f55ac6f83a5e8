// Decision records in memory, with the semantics of DecisionTables, for MemoryStore.
import { bareRecord, boundRecord, clip, DEFAULT_DECISION_LIMITS, mergeScheduleRecords, type DecisionInput, type DecisionLimits, type DecisionOutcome, type DecisionPage, type DecisionQuery, type DecisionRecord } from './decision-record.js';

export class MemoryDecisions {
  /** Insertion-ordered: the oldest first. */
  private readonly records = new Map<string, { seq: number; record: DecisionRecord }>();
  private seq = 0;

  constructor(
    private readonly now: () => number,
    private readonly limits: DecisionLimits = DEFAULT_DECISION_LIMITS,
  ) {}

  record(input: DecisionInput): void {
    const earlier = this.records.get(input.id);
    let bounded = boundRecord(input);
    if (earlier && bounded.schedule && earlier.record.schedule) bounded = boundRecord(mergeScheduleRecords(earlier.record, bounded));
    let record: DecisionRecord = {
      ...bounded,
      received_at: new Date(bounded.received_at).toISOString(),
      finished_at: bounded.finished_at === null ? null : new Date(bounded.finished_at).toISOString(),
    };
    if (earlier) record = { ...record, received_at: earlier.record.received_at, attempts: earlier.record.attempts + record.attempts };
    this.records.set(input.id, { seq: earlier?.seq ?? ++this.seq, record });
    this.prune();
  }

  settle(id: string, outcome: DecisionOutcome, reason: string): void {
    const entry = this.records.get(id);
    const now = this.now();
    if (entry) entry.record = { ...entry.record, outcome, reason: clip(reason, 500), finished_at: new Date(now).toISOString() };
    else {
      this.record(bareRecord({ id, event: 'unknown', event_uuid: null, project: null, subject: null, user: null, outcome, reason: clip(reason, 500), received_at: now, finished_at: now }));
    }
  }

  decision(id: string): DecisionRecord | undefined {
    return this.records.get(id)?.record;
  }

  decisions(query: DecisionQuery): DecisionPage {
    const before = query.before === undefined ? Number.POSITIVE_INFINITY : Number(query.before);
    const matching = [...this.records.values()]
      .reverse()
      .filter(({ seq, record }) => seq < before && matches(record, query));
    const page = matching.slice(0, query.limit);
    return { records: page.map((entry) => entry.record), next_before: matching.length > query.limit ? String(page.at(-1)!.seq) : null };
  }

  private prune(): void {
    const expired = this.now() - this.limits.retentionMs;
    for (const [id, { record }] of this.records) {
      if (this.records.size <= this.limits.max && Date.parse(record.received_at) >= expired) break;
      this.records.delete(id);
    }
  }
}

function matches(record: DecisionRecord, query: DecisionQuery): boolean {
  if (query.project !== undefined && record.project?.path !== query.project && String(record.project?.id) !== query.project) return false;
  if (query.iid !== undefined && record.subject?.iid !== query.iid) return false;
  if (query.kind !== undefined && record.subject?.kind !== query.kind) return false;
  if (query.outcome !== undefined && record.outcome !== query.outcome) return false;
  if (query.event !== undefined && record.event !== query.event) return false;
  if (query.rule !== undefined && !record.rules.some((rule) => rule.name === query.rule) && record.schedule?.rule !== query.rule) return false;
  return true;
}

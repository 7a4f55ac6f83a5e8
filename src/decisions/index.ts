// Decision records: what was decided for an event or a schedule run, and why.
export { CallLog } from './call-log.js';
export { eventRecord, type EventRecordInput } from './event-record.js';
export { ruleVerdicts, type DecisionSeen } from './rule-verdicts.js';
export { scheduleRecord, scheduleRecordId } from './schedule-record.js';
export { ruleSummary } from './rule-summary.js';

// Storage behind the Store interface. The SQLite store (Node only) is imported from ./sqlite-store.js directly.
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export type { AttemptsMade, DeadLetter, QueueStats, Store, StoredJob } from './store.js';
export { MemoryRuleConfigStore } from './memory-rule-config-store.js';
export {
  changesFile,
  type ConfigFileRecord,
  type ConfigProblemRecord,
  type NewRuleConfig,
  type PushedChange,
  type RuleConfigRecord,
  type RuleConfigStore,
} from './rule-config-store.js';
export {
  boundRecord,
  DECISION_OUTCOMES,
  DEFAULT_DECISION_LIMITS,
  type CallRecord,
  type CommandVerdict,
  type DecisionInput,
  type DecisionLimits,
  type DecisionOutcome,
  type DecisionPage,
  type DecisionQuery,
  type DecisionRecord,
  type PlannedCall,
  type RuleVerdict,
  type ScheduleSummary,
  bareRecord,
} from './decision-record.js';

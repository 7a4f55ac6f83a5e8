// Rule files: schema, loading, matching.
export type { DiffSummary, Fact, Facts } from './context.js';
export { EVENT_NAMES } from './events.js';
export { loadRules, type RuleSource } from './load.js';
export { matchRules, type MatchResult } from './match.js';
export type { Rule } from './rule.js';
export { RuleSet } from './rule-set.js';
export { ActionsSchema, ConditionSchema, RuleFileSchema, RuleSchema, type Actions, type Condition } from './schema.js';
export { compileTemplate, renderTemplate, TEMPLATE_VARIABLES, type Template } from './template.js';

// Rule files: schema, loading, matching.
export type { ActivitySummary, ApprovalSummary, DiffSummary, Fact, Facts, SubjectDetails } from './context.js';
export { ACCESS_LEVELS, ROLES, roleName, type Role } from './access.js';
export { EVENT_NAMES, isEventName } from './events.js';
export { compileCondition } from './conditions.js';
export { loadRules, parseRuleFile, type ParsedRuleFile, type RuleSource } from './load.js';
export { loadCentralConfig, loadProjectConfig, prepareCentralRules, type CentralRules, projectRuleKey, readProjectRuleKey, type LoadedConfig } from './configuration.js';
export { MAX_CONFIG_BYTES, MAX_PRESET_DEPTH, MAX_RULE_FILE_BYTES, type ConfigProblem, type PresetRead, type PresetReader } from './extends.js';
export { formatLocation, locationKey, parsePresetRef, pathProblem, sameProject, type FileLocation } from './preset-ref.js';
export { matchRules, type MatchResult } from './match.js';
export { anyLabelMatcher, globMatcher, labelMatcher } from './patterns.js';
export type { Rule, ScheduleSpec } from './rule.js';
export { parseDuration } from './duration.js';
export { RuleSet } from './rule-set.js';
export { ARGS_PLACEHOLDER, ActionsSchema, ConditionSchema, MAX_PRESET_FILES, RuleFileSchema, RuleSchema, type Actions, type Condition, type LabelSpec } from './schema.js';
export { compileTemplate, renderTemplate, TEMPLATE_VARIABLES, type Template } from './template.js';
export { AUTHOR_PLACEHOLDER, USER_PLACEHOLDER, namesAuthor, readUserItem, resolveUsernames, type ResolvedUsers } from './user-list.js';
export { resolveDueDate } from './action-schemas.js';
export { activityIgnores } from './state-conditions.js';

// One event's way from rules to GitLab: decide which rules hold, read the facts that decides, plan, make each call once.
export type { ApiCall, CallKind } from './api-call.js';
export { decideRules, readFact, type Decision } from './decide.js';
export { executeCalls, refusalError, type CallsReport } from './execute.js';
export type { Preview, ShownCall } from './preview.js';
export { DiffCache, type FactSources } from './facts.js';
export { actOnDecision, processEvent } from './process-event.js';
export type { EventOutcome, NotMade, ProcessDeps, Refusal } from './process-deps.js';
export { ReviewLoadCache } from './review-picks.js';
export { KnownLabels } from './ensure-labels.js';
export { followLabelChanges, madeCalls, MAX_CHAIN_STEPS } from './label-chain.js';

// Keeping rulebot able to work: credentials known, rotated, refreshed and sealed; the webhook watched and re-enabled.
export { createUpkeep, type Upkeep, type UpkeepOptions, type UpkeepStatus } from './upkeep.js';
export { reenableProblem, type HookStatus } from './hook-watch.js';
export type { TokenStatus } from './managed-token.js';
export type { OAuthStatus } from './oauth-token.js';

// What checking a configuration on a push or a merge request is given.
import type { GitLabClient } from '../gitlab/index.js';
import type { Logger } from '../log.js';
import type { FactSources } from '../pipeline/index.js';
import type { EffectGuard } from '../pipeline/effects.js';
import type { RuleConfigs } from './rule-configs.js';

export interface ObserveDeps {
  configs: RuleConfigs;
  /** The event's client (it carries the delivery's X-Gitlab-Event-UUID). */
  gitlab: GitLabClient;
  log: Logger;
  /** Log the writes instead of making them. */
  dryRun: boolean;
  /** Makes each write once across retries of the event. */
  effects: EffectGuard | undefined;
  /** Where the merge request's changed files come from (shared with the rules, read once per version). */
  facts: FactSources;
}

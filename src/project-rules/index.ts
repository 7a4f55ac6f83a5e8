// Rules that live in each project (`.gitlab/rulebot.yml`) and presets kept in GitLab: read, kept, and checked where they change.
import type { RuleEvent } from '../event/event.js';
import { checkMergeRequest } from './check-merge-request.js';
import type { ObserveDeps } from './observe-deps.js';
import { observePush } from './observe-push.js';

export { CENTRAL, RuleConfigs, type RuleConfigsOptions } from './rule-configs.js';
export { readConfig, type ConfigOwner, type ConfigReading } from './read-config.js';
export { STATUS_NAME } from './config-comment.js';
export type { ObserveDeps } from './observe-deps.js';

/**
 * What an event says about configurations, before its rules run: a push may change kept files (and
 * the project's own file, checked at once), a merge request may change the project's file (checked at
 * its head commit).
 */
export async function observeEvent(event: RuleEvent, deps: ObserveDeps): Promise<void> {
  if (event.kind === 'push') await observePush(event, deps);
  else if (event.kind === 'merge_request') await checkMergeRequest(event, deps);
}

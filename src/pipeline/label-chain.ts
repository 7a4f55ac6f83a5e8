// Labels changed by rulebot's own actions fire the label rules of the same project, in the same job, a few steps at most.
import { noteablePath } from '../gitlab/index.js';
import type { Condition } from '../rules/index.js';
import type { RuleEvent, Subject } from '../event/event.js';
import type { ApiCall } from './api-call.js';
import { processEvent } from './process-event.js';
import type { EventOutcome, ProcessDeps } from './process-deps.js';

/** A chain stops after this many steps: rules adding labels for one another cannot go on for ever. */
export const MAX_CHAIN_STEPS = 3;

/**
 * GitLab sends no webhook for rulebot's own changes (they are its user's events, which it ignores),
 * so a label added by one rule would never reach a `label_added` rule. This runs them here instead:
 * the labels the calls changed become a `merge_request.update` (or `issue.update`) event with those
 * changes, decided against the rules with a `label_added` or `label_removed` condition; the labels
 * those change start the next step. No rule runs twice in one job (`alreadyRan`, then each step's),
 * and the chain stops after MAX_CHAIN_STEPS steps. The event keeps its user, who caused the change.
 * Calls GitLab refused (`keepGoing`) changed nothing, so they fire nothing.
 */
export async function followLabelChanges(
  event: RuleEvent,
  calls: readonly ApiCall[],
  alreadyRan: readonly string[],
  deps: ProcessDeps,
  options: { keepGoing?: boolean } = {},
): Promise<EventOutcome[]> {
  const outcomes: EventOutcome[] = [];
  let subject = event.subject;
  if (!subject) return outcomes;
  const path = noteablePath(event.project.id, subject.type, subject.iid);
  const ran = new Set(alreadyRan);
  let made = calls;
  for (let step = 1; step <= MAX_CHAIN_STEPS; step++) {
    const change = labelChange(made, path);
    if (!change) break;
    subject = withChange(subject, change);
    const chained: RuleEvent = {
      ...event,
      kind: subject.type,
      names: [subject.type, `${subject.type}.update`],
      action: 'update',
      subject,
      labels_changed: { added: change.added, removed: change.removed },
      note: undefined,
      command: undefined,
    };
    const rules = deps.rules
      .candidates(chained)
      .filter((rule) => !ran.has(rule.name) && rule.inProject(event.project.path_with_namespace) && watchesLabels(rule.when));
    if (rules.length === 0) break;
    const outcome = await processEvent(chained, { ...deps, effects: deps.effects && { ...deps.effects, scope: `labels:${step}` } }, { rules, keepGoing: options.keepGoing ?? false });
    if (outcome.matched.length > 0) deps.log.info('labels changed by rulebot fired rules', { step, added: change.added, removed: change.removed, matched: outcome.matched });
    else deps.log.debug('labels changed by rulebot fired no rule', { step, added: change.added, removed: change.removed });
    outcomes.push(outcome);
    for (const name of outcome.matched) ran.add(name);
    made = madeCalls(outcome);
    subject = outcome.state.event.subject ?? subject;
  }
  return outcomes;
}

/** The calls of an outcome that were made: not those GitLab refused, nor those skipped after a refusal. */
export function madeCalls(outcome: EventOutcome): ApiCall[] {
  const notMade = outcome.notMade;
  if (!notMade) return outcome.calls;
  const left = new Set<ApiCall>([...notMade.refused.map(({ call }) => call), ...notMade.skipped]);
  return outcome.calls.filter((call) => !left.has(call));
}

/** The labels (and people) the edit calls on `path` changed; undefined when they changed no label. */
function labelChange(calls: readonly ApiCall[], path: string): { added: string[]; removed: string[]; assignees?: number[]; reviewers?: number[] } | undefined {
  const added: string[] = [];
  const removed: string[] = [];
  let assignees: number[] | undefined;
  let reviewers: number[] | undefined;
  for (const call of calls) {
    if (call.kind !== 'edit' || call.path !== path) continue;
    added.push(...split(call.body['add_labels']));
    removed.push(...split(call.body['remove_labels']));
    if (Array.isArray(call.body['assignee_ids'])) assignees = call.body['assignee_ids'] as number[];
    if (Array.isArray(call.body['reviewer_ids'])) reviewers = call.body['reviewer_ids'] as number[];
  }
  if (added.length === 0 && removed.length === 0) return undefined;
  return { added, removed, ...(assignees && { assignees }), ...(reviewers && { reviewers }) };
}

function withChange(subject: Subject, change: NonNullable<ReturnType<typeof labelChange>>): Subject {
  const labels = [...subject.labels.filter((label) => !change.removed.includes(label)), ...change.added.filter((label) => !subject.labels.includes(label))];
  return {
    ...subject,
    labels,
    ...(change.assignees && { assignee_ids: change.assignees }),
    ...(change.reviewers && { reviewer_ids: change.reviewers }),
  };
}

function split(value: unknown): string[] {
  return typeof value === 'string' && value !== '' ? value.split(',') : [];
}

/** Whether a rule's conditions look at the labels an event added or removed. */
function watchesLabels(condition: Condition | undefined): boolean {
  if (!condition) return false;
  if (condition.label_added || condition.label_removed) return true;
  return [...(condition.any ?? []), ...(condition.all ?? []), ...(condition.not ? [condition.not] : [])].some(watchesLabels);
}

// Plans the field edits rules ask for (milestone, due date, draft, lock, confidentiality) into the one update of an event.
import { resolveDueDate, type Rule } from '../rules/index.js';
import type { Subject } from '../event/event.js';

export interface FieldContext {
  subject: Subject;
  /** Milestone ids by title, as looked up in the project and its groups; undefined when not looked up. */
  milestoneIds: ReadonlyMap<string, number> | undefined;
  /** The time relative due dates count from (ms since the epoch). */
  now: number;
  warnings: string[];
}

const DRAFT_PREFIX = /^\s*(\[draft\]|\(draft\)|draft:|draft\s-)\s*/i;

/** Whether a rule edits any of these fields (it then counts among the rules of the update). */
export function editsFields(rule: Rule): boolean {
  const then = rule.then;
  return [then.milestone, then.due_date, then.draft, then.lock_discussion, then.confidential].some((value) => value !== undefined);
}

/**
 * The update parameters for the fields matched rules set; where two rules disagree the later one
 * wins. A field the payload shows already so is left out.
 * https://docs.gitlab.com/api/merge_requests/#update-mr, https://docs.gitlab.com/api/issues/#edit-an-issue
 */
export function planFields(rules: readonly Rule[], { subject, milestoneIds, now, warnings }: FieldContext): Record<string, unknown> {
  const update: Record<string, unknown> = {};
  const isIssue = subject.type === 'issue';
  for (const rule of rules) {
    const then = rule.then;
    const where = `rule "${rule.name}"`;
    if (then.milestone === null) update['milestone_id'] = 0;
    else if (then.milestone !== undefined) {
      const id = milestoneIds?.get(then.milestone);
      if (milestoneIds === undefined) warnings.push(`${where}: milestone: milestones were not looked up in GitLab`);
      else if (id === undefined) warnings.push(`${where}: milestone: no open milestone "${then.milestone}" in the project or its groups`);
      else update['milestone_id'] = id;
    }
    if (then.due_date !== undefined) {
      if (isIssue) update['due_date'] = then.due_date === null ? null : resolveDueDate(then.due_date, now);
      else warnings.push(`${where}: due_date: merge requests have no due date`);
    }
    if (then.lock_discussion !== undefined) update['discussion_locked'] = then.lock_discussion;
    if (then.confidential !== undefined) {
      if (isIssue) update['confidential'] = then.confidential;
      else warnings.push(`${where}: confidential: only issues can be confidential`);
    }
    if (then.draft !== undefined) {
      // GitLab has no draft parameter: a merge request is a draft when its title starts with `Draft:`.
      if (isIssue) warnings.push(`${where}: draft: issues are never drafts`);
      else {
        const bare = subject.title.replace(DRAFT_PREFIX, '');
        update['title'] = then.draft ? `Draft: ${bare}` : bare;
      }
    }
  }
  // What the payload shows already so costs nothing.
  if (update['milestone_id'] !== undefined && subject.milestone_id !== undefined && (subject.milestone_id ?? 0) === update['milestone_id']) delete update['milestone_id'];
  if (update['confidential'] !== undefined && subject.confidential === update['confidential']) delete update['confidential'];
  if (update['title'] !== undefined && update['title'] === subject.title) delete update['title'];
  return update;
}

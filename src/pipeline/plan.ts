// Merges the actions of every matched rule into the fewest GitLab calls: one PUT for all edits, one POST per comment.
import { noteablePath } from '../gitlab/index.js';
import { ARGS_PLACEHOLDER, renderTemplate, resolveUsernames, type Rule } from '../rules/index.js';
import type { RuleEvent, Subject } from '../event/event.js';
import type { ApiCall } from './api-call.js';
import { planAutoMerge } from './auto-merge.js';
import { planBackports } from './backport.js';
import { editsFields, planFields } from './plan-fields.js';
import { stickyMarker } from './sticky-comment.js';
import { planFeedback, planMergeRequestRequests } from './plan-requests.js';

export interface PlanInput {
  event: RuleEvent;
  /** Matched rules, in rule order: where two disagree (add vs remove, close vs reopen), the later one wins. */
  rules: readonly Rule[];
  /**
   * Ids of the usernames named by `assign` and `request_review`; names missing here are reported, not
   * sent. Undefined when users were not looked up at all (simulating offline).
   */
  userIds: ReadonlyMap<string, number> | undefined;
  authorUsername?: string | undefined;
  /**
   * False when the payload may be stale (the event is retried or resumed, perhaps much later): then
   * label changes are sent even if the payload shows them made, and GitLab ignores the no-ops.
   */
  labelsCurrent?: boolean;
  /** Ids of the milestones `milestone` actions name, by title; undefined when not looked up. */
  milestoneIds?: ReadonlyMap<string, number> | undefined;
  /** The time relative due dates count from (default: now). */
  now?: number;
  /** The reviewers `request_review: {pick, from}` picked, by rule key. */
  picks?: ReadonlyMap<string, string[]>;
}

export interface Plan {
  calls: ApiCall[];
  /** Things rules asked for that cannot be done, in words (unknown users, reviewers on an issue). */
  warnings: string[];
  /** The users named by `assign` and `request_review` that GitLab does not know, or this event cannot tell, in words. */
  unknownUsers: string[];
}

/**
 * Plans the API calls for one event. Label changes use `add_labels`/`remove_labels`, which GitLab
 * applies atomically without reading the labels first, and labels the payload shows are already
 * there (or already gone) are left out, so an event that changes nothing costs no call at all.
 */
export function planActions({ event, rules, userIds, authorUsername, labelsCurrent = true, milestoneIds, now = Date.now(), picks }: PlanInput): Plan {
  const subject = event.subject;
  const warnings: string[] = [];
  const unknownUsers: string[] = [];
  if (!subject || rules.length === 0) return { calls: [], warnings, unknownUsers };
  const path = noteablePath(event.project.id, subject.type, subject.iid);

  const labels = new Map<string, boolean>();
  let stateEvent: 'close' | 'reopen' | undefined;
  const assignees = new Set(subject.assignee_ids);
  const reviewers = new Set(subject.reviewer_ids);
  const editors = new Set<string>();
  const notes: ApiCall[] = [];

  const args = event.command?.args.map((arg) => arg.value) ?? [];
  for (const rule of rules) {
    const then = rule.then;
    for (const label of withArgs(then.add_labels, args)) labels.set(label, true);
    for (const label of withArgs(then.remove_labels, args)) labels.set(label, false);
    if (then.close) stateEvent = 'close';
    if (then.reopen) stateEvent = 'reopen';
    planPeople(rule, event, subject, authorUsername, { assignees, reviewers }, userIds, { warnings, unknownUsers }, picks);
    const people = then.assign || then.request_review || then.unassign || then.remove_reviewers;
    if (then.add_labels || then.remove_labels || then.close || then.reopen || people || editsFields(rule)) editors.add(rule.name);
    if (rule.comment) {
      const body = renderTemplate(rule.comment, { event, authorUsername });
      // A comment made for an internal note (or one on a confidential issue) is internal too: it may quote it.
      const internal = rule.comment.internal || event.note?.internal === true;
      const key = rule.comment.key;
      if (key === undefined) {
        notes.push({ kind: 'note', method: 'POST', path: `${path}/notes`, body: internal ? { body, internal: true } : { body }, rules: [rule.name] });
      } else {
        const sticky = stickyMarker(key);
        const text = `${body}\n\n${sticky}`;
        notes.push({ kind: 'sticky', method: 'POST', path: `${path}/notes`, body: internal ? { body: text, internal: true } : { body: text }, rules: [rule.name], sticky });
      }
    }
  }

  const fields = planFields(rules, { subject, milestoneIds, now, warnings });
  const built = buildUpdate(subject, labels, stateEvent, assignees, reviewers, labelsCurrent && subject.complete);
  const update = built || Object.keys(fields).length > 0 ? { ...built, ...fields } : undefined;
  const context = { event, subject, rules, authorUsername, warnings };
  // Edits first, then what depends on them (merging), then what reports on them (comments, replies, reactions).
  const calls: ApiCall[] = [
    ...(update ? [{ kind: 'edit' as const, method: 'PUT' as const, path, body: update, rules: [...editors] }] : []),
    ...planMergeRequestRequests(context),
    ...planAutoMerge(event, subject, rules, warnings),
    ...planBackports(event, subject, rules, warnings),
    ...notes,
    ...planFeedback(context),
  ];
  return { calls, warnings, unknownUsers: [...new Set(unknownUsers)] };
}

/** A list of labels or users with `{{ args }}` replaced by the command's arguments. */
export function withArgs(list: readonly string[] | undefined, args: readonly string[]): string[] {
  // Arguments with commas never reach GitLab, which would split them (rules refuse them too).
  const safe = args.filter((arg) => !arg.includes(','));
  return (list ?? []).flatMap((item) => (item === ARGS_PLACEHOLDER ? safe : [item]));
}

/** Adds the users a rule assigns or asks for review to the sets that will be sent. */
function planPeople(
  rule: Rule,
  event: RuleEvent,
  subject: Subject,
  authorUsername: string | undefined,
  into: { assignees: Set<number>; reviewers: Set<number> },
  userIds: ReadonlyMap<string, number> | undefined,
  report: { warnings: string[]; unknownUsers: string[] },
  picks: ReadonlyMap<string, string[]> | undefined,
): void {
  const { assign, unassign, remove_reviewers } = rule.then;
  const request_review = reviewersOf(rule, picks);
  const { warnings } = report;
  if (!assign && !request_review && !unassign && !remove_reviewers) return;
  if (!userIds) {
    warnings.push(`rule "${rule.name}": users to assign or ask for review were not looked up in GitLab`);
    return;
  }
  if (!subject.people_known) {
    // Both lists are replaced whole by GitLab: without the current ones, sending them would drop people.
    warnings.push(`rule "${rule.name}": the current assignees and reviewers are unknown, so nobody was added`);
    return;
  }
  // The ids of the users a list names for this event (`@me`, templates and arguments read), each
  // unknown one reported; `true` (everyone) is left to the caller.
  const idsOf = (list: readonly string[], where: string): number[] => {
    const { usernames, unknown } = resolveUsernames(list, event, authorUsername);
    for (const who of unknown) {
      warnings.push(`${where}: could not tell ${who}`);
      report.unknownUsers.push(who);
    }
    const ids: number[] = [];
    for (const username of usernames) {
      const id = userIds.get(username.toLowerCase());
      if (id !== undefined) ids.push(id);
      else {
        warnings.push(`${where}: no GitLab user "${username}"`);
        report.unknownUsers.push(`\`${username}\``);
      }
    }
    return ids;
  };
  const remove = (which: true | readonly string[] | undefined, from: Set<number>, where: string) => {
    if (which === true) from.clear();
    else if (which) for (const id of idsOf(which, where)) from.delete(id);
  };
  // Removals first, so that a rule both removing everyone and adding someone hands the item over.
  remove(unassign, into.assignees, `rule "${rule.name}": unassign`);
  if (remove_reviewers && subject.type === 'issue') warnings.push(`rule "${rule.name}": remove_reviewers: issues have no reviewers`);
  else remove(remove_reviewers, into.reviewers, `rule "${rule.name}": remove_reviewers`);
  if (assign) for (const id of idsOf(assign, `rule "${rule.name}": assign`)) into.assignees.add(id);
  if (request_review && subject.type === 'issue') warnings.push(`rule "${rule.name}": request_review: issues have no reviewers`);
  else if (request_review) for (const id of idsOf(request_review, `rule "${rule.name}": request_review`)) into.reviewers.add(id);
}

/**
 * The users a rule asks to review, as written (templates and `@me` still to be read): its list, or
 * for `{pick, from}` the usernames picked for it (by the rule's key).
 */
export function reviewersOf(rule: Rule, picks: ReadonlyMap<string, string[]> | undefined): string[] | undefined {
  const spec = rule.then.request_review;
  if (spec === undefined || Array.isArray(spec)) return spec;
  return picks?.get(rule.key) ?? [];
}

function buildUpdate(
  subject: Subject,
  labels: Map<string, boolean>,
  stateEvent: 'close' | 'reopen' | undefined,
  assignees: Set<number>,
  reviewers: Set<number>,
  knownLabels: boolean,
): Record<string, unknown> | undefined {
  // Without the object's current labels (pipeline payloads, stale payloads) every change is sent; GitLab ignores no-ops.
  const current = new Set(knownLabels ? subject.labels : []);
  const add = [...labels].filter(([label, wanted]) => wanted && (!knownLabels || !current.has(label))).map(([label]) => label);
  const remove = [...labels].filter(([label, wanted]) => !wanted && (!knownLabels || current.has(label))).map(([label]) => label);

  const update: Record<string, unknown> = {};
  if (add.length > 0) update['add_labels'] = add.join(',');
  if (remove.length > 0) update['remove_labels'] = remove.join(',');
  if (stateEvent === 'close' && subject.state === 'opened') update['state_event'] = 'close';
  if (stateEvent === 'reopen' && subject.state === 'closed') update['state_event'] = 'reopen';
  // `assignee_ids` and `reviewer_ids` replace the whole list, so they carry the current ones too.
  if (!sameIds(assignees, subject.assignee_ids)) update['assignee_ids'] = [...assignees];
  if (!sameIds(reviewers, subject.reviewer_ids)) update['reviewer_ids'] = [...reviewers];
  return Object.keys(update).length > 0 ? update : undefined;
}

function sameIds(ids: Set<number>, current: readonly number[]): boolean {
  return ids.size === new Set(current).size && current.every((id) => ids.has(id));
}

// Plans the calls that are neither edits nor comments: merge, rebase, pipeline, replies and reactions.
import { noteablePath, projectPath } from '../gitlab/index.js';
import { renderTemplate, type Rule } from '../rules/index.js';
import type { RuleEvent, Subject } from '../event/event.js';
import type { ApiCall } from './api-call.js';

interface Context {
  event: RuleEvent;
  subject: Subject;
  rules: readonly Rule[];
  authorUsername: string | undefined;
  warnings: string[];
}

/** `merge`, `rebase` and `pipeline`: one call each, whichever rules asked (the last rule's options win). */
export function planMergeRequestRequests({ event, subject, rules, authorUsername, warnings }: Context): ApiCall[] {
  const path = noteablePath(event.project.id, subject.type, subject.iid);
  const calls: ApiCall[] = [];
  const last = (key: 'merge' | 'rebase' | 'pipeline') => [...rules].reverse().find((rule) => rule.then[key] !== undefined);
  const names = (key: 'merge' | 'rebase' | 'pipeline') => rules.filter((rule) => rule.then[key] !== undefined).map((rule) => rule.name);

  for (const key of ['rebase', 'merge'] as const) {
    const rule = last(key);
    if (!rule) continue;
    if (subject.type !== 'merge_request') {
      warnings.push(`rule "${rule.name}": ${key}: only merge requests can be ${key === 'merge' ? 'merged' : 'rebased'}`);
      continue;
    }
    const merge = rule.then.merge;
    const body =
      key === 'merge' && merge
        ? {
            auto_merge: merge.auto_merge,
            // The name before GitLab 17.11, which would otherwise merge at once, pipeline or not.
            merge_when_pipeline_succeeds: merge.auto_merge,
            // Merge only the version the event saw: GitLab answers 409 if commits arrived since.
            ...(subject.sha !== undefined && { sha: subject.sha }),
            ...(merge.squash !== undefined && { squash: merge.squash }),
          }
        : {};
    calls.push({ kind: key, method: 'PUT', path: `${path}/${key}`, body, rules: names(key) });
  }

  const pipelineRule = last('pipeline');
  if (pipelineRule?.then.pipeline && subject.source_project_id !== undefined && subject.source_project_id !== event.project.id) {
    // The source branch lives in the fork: a pipeline for that name here would run other code.
    warnings.push(`rule "${pipelineRule.name}": pipeline: the merge request comes from a fork, so no pipeline was created for its branch`);
  } else if (pipelineRule?.then.pipeline) {
    const ref = pipelineRule.pipelineRef ? renderTemplate(pipelineRule.pipelineRef, { event, authorUsername }) : subject.source_branch;
    if (!ref) {
      warnings.push(`rule "${pipelineRule.name}": pipeline: no ref to run it for (set pipeline.ref)`);
    } else {
      const variables = Object.entries(pipelineRule.then.pipeline.variables ?? {}).map(([key, value]) => ({ key, value }));
      calls.push({ kind: 'pipeline', method: 'POST', path: `${projectPath(event.project.id)}/pipeline`, body: { ref, ...(variables.length > 0 && { variables }) }, rules: names('pipeline') });
    }
  }
  return calls;
}

/** `reply` (one note per rule, in the command's thread when known) and `react` (each emoji once, on the note). */
export function planFeedback({ event, subject, rules, authorUsername, warnings }: Context): ApiCall[] {
  const path = noteablePath(event.project.id, subject.type, subject.iid);
  const noteId = event.command?.note_id ?? event.note?.id;
  const discussionId = event.command?.discussion_id ?? event.note?.discussion_id;
  const calls: ApiCall[] = [];
  for (const rule of rules) {
    if (!rule.reply) continue;
    const body = renderTemplate(rule.reply, { event, authorUsername });
    // A reply to an internal note (or one on a confidential issue) is internal too: it may quote it.
    const internal = event.note?.internal === true;
    calls.push({ kind: 'note', method: 'POST', path: discussionId ? `${path}/discussions/${discussionId}/notes` : `${path}/notes`, body: internal ? { body, internal } : { body }, rules: [rule.name] });
  }
  const emoji = new Map<string, string[]>();
  for (const rule of rules) {
    const name = rule.then.react;
    if (name === undefined) continue;
    if (noteId === undefined) warnings.push(`rule "${rule.name}": react: there is no note to react to on ${event.names.at(-1)} events`);
    else emoji.set(name, [...(emoji.get(name) ?? []), rule.name]);
  }
  for (const [name, ruleNames] of emoji) {
    calls.push({ kind: 'reaction', method: 'POST', path: `${path}/notes/${noteId}/award_emoji`, body: { name }, rules: ruleNames });
  }
  return calls;
}

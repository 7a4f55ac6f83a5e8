// `auto_merge`: merge once the pipeline succeeds, through the merge train when the project uses one.
import { z } from 'zod';
import { noteablePath, type GitLabClient } from '../gitlab/index.js';
import type { Rule } from '../rules/index.js';
import type { RuleEvent, Subject } from '../event/event.js';
import type { ApiCall } from './api-call.js';

/** One `auto_merge` call for the matched rules (the last rule's `squash` wins); merge requests only. */
export function planAutoMerge(event: RuleEvent, subject: Subject, rules: readonly Rule[], warnings: string[]): ApiCall[] {
  const asking = rules.filter((rule) => rule.then.auto_merge !== undefined);
  const last = asking.at(-1);
  if (!last) return [];
  if (subject.type !== 'merge_request') {
    warnings.push(`rule "${last.name}": auto_merge: only merge requests can be merged`);
    return [];
  }
  const squash = last.then.auto_merge?.squash;
  const body = {
    auto_merge: true,
    // The name before GitLab 17.11, which would otherwise merge at once, pipeline or not.
    merge_when_pipeline_succeeds: true,
    // Merge only the version the event saw: GitLab answers 409 if commits arrived since.
    ...(subject.sha !== undefined && { sha: subject.sha }),
    ...(squash !== undefined && { squash }),
  };
  const path = noteablePath(event.project.id, 'merge_request', subject.iid);
  return [{ kind: 'auto_merge', method: 'PUT', path: `${path}/merge`, body, rules: asking.map((rule) => rule.name) }];
}

const ProjectSchema = z.object({ merge_trains_enabled: z.boolean().nullish() });

/**
 * The call that sets auto-merge: `PUT …/merge` with `auto_merge`, or, when the project uses merge
 * trains, `POST /projects/:id/merge_trains/merge_requests/:iid`: `PUT …/merge` skips the train once
 * the pipeline has passed (GitLab issue 593465). One read of the project decides.
 * https://docs.gitlab.com/api/merge_trains/#add-a-merge-request-to-a-merge-train
 */
export async function resolveAutoMerge(call: ApiCall, gitlab: GitLabClient): Promise<ApiCall> {
  const match = /^(\/projects\/[^/]+)\/merge_requests\/(\d+)\/merge$/.exec(call.path);
  if (!match) return { ...call, kind: 'merge' };
  const project = await gitlab.request('GET', match[1]!, { schema: ProjectSchema });
  if (!project.merge_trains_enabled) return { ...call, kind: 'merge' };
  const { merge_when_pipeline_succeeds: _old, ...rest } = call.body;
  return { ...call, kind: 'merge', method: 'POST', path: `${match[1]}/merge_trains/merge_requests/${match[2]}`, body: { ...rest, when_pipeline_succeeds: true } };
}

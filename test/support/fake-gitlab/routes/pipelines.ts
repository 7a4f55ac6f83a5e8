// `POST /projects/:id/pipeline`: running CI for a ref, optionally with variables. The fake never runs it.
// https://docs.gitlab.com/api/pipelines/#create-a-new-pipeline

import { createHash } from 'node:crypto';
import type { Params } from '../params.js';
import { ApiError, badRequest } from '../replies.js';
import { representUser } from '../representations.js';
import type { FakeGitLabStore } from '../store.js';
import type { FakePipeline, FakeProject } from '../types.js';
import { findProject } from './lookups.js';
import type { RouteContext, RouteHandler } from './route-context.js';

type Variable = FakePipeline['variables'][number];

/**
 * Any non-empty ref exists (the fake has no repository); its `sha` is that of an open merge
 * request from that branch if there is one. An empty ref fails like a missing one does in GitLab.
 */
export const createPipeline: RouteHandler = (context) => {
  const { params, store } = context;
  if (params['ref'] === undefined) throw badRequest('ref is missing');
  if (typeof params['ref'] !== 'string') throw badRequest('ref is invalid');
  const ref = params['ref'];
  const variables = readVariables(params['variables']);
  const project = findProject(context);
  if (ref.trim() === '') throw new ApiError({ status: 400, body: { message: { base: ['Reference not found'] } } });

  const pipeline = store.pipelines.create({
    project_id: project.id,
    ref,
    sha: shaOf(store, project.id, ref),
    variables,
    user_id: store.botUser.id,
    created_at: store.now(),
  });
  return { status: 201, body: representPipeline(context, pipeline, project) };
};

/** A JSON array of `{key, value, variable_type?}`; `variable_type` is `env_var` (default) or `file`. */
function readVariables(value: unknown): Variable[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badRequest('variables is invalid');
  return value.map((entry: unknown, index): Variable => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw badRequest('variables is invalid');
    const fields: Params = { ...entry };
    const [key, text, type] = [fields['key'], fields['value'], fields['variable_type'] ?? 'env_var'];
    if (typeof key !== 'string' || key === '') throw badRequest(`variables[${index}][key] is missing`);
    if (typeof text !== 'string' && typeof text !== 'number') throw badRequest(`variables[${index}][value] is missing`);
    if (type !== 'env_var' && type !== 'file') {
      throw badRequest(`variables[${index}][variable_type] does not have a valid value`);
    }
    return { key, value: String(text), variable_type: type };
  });
}

function shaOf(store: FakeGitLabStore, projectId: number, ref: string): string {
  for (const { record } of store.allMergeRequests()) {
    if (record.project_id === projectId && record.state === 'opened' && record.source_branch === ref) return record.sha;
  }
  return createHash('sha1').update(`${projectId}@${ref}`).digest('hex');
}

function representPipeline({ store, baseUrl }: RouteContext, pipeline: FakePipeline, project: FakeProject) {
  const user = store.user(pipeline.user_id);
  return {
    id: pipeline.id,
    iid: pipeline.iid,
    project_id: pipeline.project_id,
    sha: pipeline.sha,
    ref: pipeline.ref,
    status: pipeline.status,
    source: pipeline.source,
    before_sha: '0'.repeat(40),
    tag: false,
    yaml_errors: null,
    user: user ? representUser(user, baseUrl) : null,
    created_at: pipeline.created_at,
    updated_at: pipeline.created_at,
    started_at: null,
    finished_at: null,
    duration: null,
    coverage: null,
    web_url: `${baseUrl}/${project.path_with_namespace}/-/pipelines/${pipeline.id}`,
  };
}

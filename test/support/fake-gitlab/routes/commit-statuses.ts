// `POST /projects/:id/statuses/:sha` and `GET …/repository/commits/:sha/statuses`.
// https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit — app/services/ci/create_commit_status_service.rb

import { readChoice, readString } from '../params.js';
import { ApiError, badRequest, notFound, validationFailed } from '../replies.js';
import { representUser } from '../representations.js';
import type { FakeCommitStatus } from '../types.js';
import { findProject } from './lookups.js';
import type { RouteContext, RouteHandler } from './route-context.js';

const STATES = ['pending', 'running', 'success', 'failed', 'canceled', 'skipped'] as const;
const MAX_LENGTH = 255;

export const setCommitStatus: RouteHandler = (context) => {
  const { params, store } = context;
  if (params['state'] === undefined) throw badRequest('state is missing');
  const state = readChoice(params, 'state', STATES)!;
  const project = findProject(context);
  const sha = context.path['sha'] ?? '';
  const commit = store.repositories.resolve(project.id, sha);
  if (!commit || !commit.id.startsWith(sha)) throw notFound('Commit');
  // The branch the status is about: the one given, or the first branch that holds the commit.
  const ref = readString(params, 'ref') ?? store.repositories.branchesContaining(project.id, commit.id)[0];
  if (ref === undefined) throw notFound('References for commit');
  for (const field of ['ref', 'target_url', 'description'] as const) {
    const value = readString(params, field);
    if (value !== undefined && [...value].length > MAX_LENGTH) throw validationFailed(field, `is too long (maximum is ${MAX_LENGTH} characters)`);
  }
  const result = store.commitStatuses.set({
    project_id: project.id,
    sha: commit.id,
    ref,
    status: state,
    name: readString(params, 'name') ?? readString(params, 'context') ?? 'default',
    description: readString(params, 'description') ?? null,
    target_url: readString(params, 'target_url') ?? null,
    author_id: store.botUser.id,
    created_at: store.now(),
  });
  if ('refused' in result) throw new ApiError({ status: 400, body: { message: result.refused } });
  return { status: 201, body: representStatus(context, result) };
};

export const listCommitStatuses: RouteHandler = (context) => {
  const project = findProject(context);
  const commit = context.store.repositories.resolve(project.id, context.path['sha'] ?? '');
  if (!commit) throw notFound('Commit');
  return { status: 200, body: context.store.commitStatuses.list(project.id, commit.id).map((status) => representStatus(context, status)) };
};

function representStatus({ store, baseUrl }: RouteContext, status: FakeCommitStatus) {
  const author = store.user(status.author_id);
  const finished = status.status !== 'pending' && status.status !== 'running';
  return {
    id: status.id,
    sha: status.sha,
    ref: status.ref,
    status: status.status,
    name: status.name,
    description: status.description,
    target_url: status.target_url,
    allow_failure: false,
    coverage: null,
    created_at: status.created_at,
    started_at: null,
    finished_at: finished ? status.created_at : null,
    author: author ? representUser(author, baseUrl) : null,
  };
}

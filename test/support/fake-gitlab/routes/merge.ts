// `PUT …/merge_requests/:iid/merge` and `…/rebase`: merging now, merging once the pipeline succeeds, rebasing.
// https://docs.gitlab.com/api/merge_requests/#merge-a-merge-request
// https://docs.gitlab.com/api/merge_requests/#rebase-a-merge-request

import { readBoolean, readString } from '../params.js';
import { ApiError, forbidden, notAllowed } from '../replies.js';
import { representMergeRequest } from '../representations.js';
import { findMergeRequest } from './lookups.js';
import { representationContext, type RouteHandler } from './route-context.js';

/**
 * Merges at once, as the bot, unless `auto_merge` (or its older name `merge_when_pipeline_succeeds`)
 * is true: then the merge request stays open with auto-merge set, as if a pipeline were running.
 * GitLab checks state before `sha`: 405 for anything not open or still draft, then 409.
 */
export const mergeMergeRequest: RouteHandler = (context) => {
  const { params, store } = context;
  const autoMerge = readBoolean(params, 'auto_merge') || readBoolean(params, 'merge_when_pipeline_succeeds');
  const squash = readBoolean(params, 'squash');
  const removeSourceBranch = readBoolean(params, 'should_remove_source_branch');
  const sha = readString(params, 'sha');
  const { project, found } = findMergeRequest(context);
  const mr = found.record;

  if (mr.state !== 'opened' || mr.draft) throw notAllowed();
  if (sha !== undefined && sha !== mr.sha) {
    throw new ApiError({ status: 409, body: { message: `SHA does not match HEAD of source branch: ${mr.sha}` } });
  }
  const now = store.now();
  if (squash !== undefined) mr.squash = squash;
  if (removeSourceBranch !== undefined) mr.should_remove_source_branch = removeSourceBranch;
  mr.merge_user_id = store.botUser.id;
  if (autoMerge) {
    mr.auto_merge = true;
  } else {
    mr.state = 'merged';
    mr.merged_at = now;
    mr.auto_merge = false;
  }
  mr.updated_at = now;
  return { status: 200, body: representMergeRequest(found, project, representationContext(context)) };
};

/**
 * Accepted at once and counted in `rebase_count`; the fake's rebase is over before the next
 * request, so `include_rebase_in_progress` then reads false. The source branch's `sha` is kept.
 * GitLab refuses to rebase a merge request that is not open with a resource-lock conflict.
 */
export const rebaseMergeRequest: RouteHandler = (context) => {
  readBoolean(context.params, 'skip_ci');
  const { found } = findMergeRequest(context);
  if (found.record.state !== 'opened') {
    throw new ApiError({ status: 409, body: { message: '409 Conflict: Resource lock' } });
  }
  found.record.rebase_count += 1;
  return { status: 202, body: { rebase_in_progress: true } };
};

/**
 * `POST /projects/:id/merge_trains/merge_requests/:iid`: 403 when the project has no merge trains;
 * with `auto_merge` (or the older `when_pipeline_succeeds`) it joins once its pipeline succeeds.
 * https://docs.gitlab.com/api/merge_trains/#add-a-merge-request-to-a-merge-train
 */
export const addToMergeTrain: RouteHandler = (context) => {
  const { params, store } = context;
  const autoMerge = readBoolean(params, 'auto_merge') || readBoolean(params, 'when_pipeline_succeeds');
  const squash = readBoolean(params, 'squash');
  const sha = readString(params, 'sha');
  const { project, found } = findMergeRequest(context);
  if (!project.merge_trains_enabled) throw forbidden();
  const mr = found.record;
  if (mr.state !== 'opened' || mr.draft) throw notAllowed();
  if (sha !== undefined && sha !== mr.sha) {
    throw new ApiError({ status: 409, body: { message: `SHA does not match HEAD of source branch: ${mr.sha}` } });
  }
  if (squash !== undefined) mr.squash = squash;
  mr.on_merge_train = true;
  mr.auto_merge = autoMerge ?? false;
  mr.merge_user_id = store.botUser.id;
  mr.updated_at = store.now();
  const merge_request = representMergeRequest(found, project, representationContext(context));
  return { status: 201, body: [{ id: found.id, merge_request, status: 'idle', target_branch: mr.target_branch, merged_at: null }] };
};

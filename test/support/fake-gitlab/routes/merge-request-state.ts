// `GET …/merge_requests/:iid/approvals` and `GET …/discussions`: a merge request's review state.

import { paginate } from '../pagination.js';
import { representUser } from '../representations.js';
import { findMergeRequest } from './lookups.js';
import type { RouteHandler } from './route-context.js';

export const getApprovals: RouteHandler = (context) => {
  const { found } = findMergeRequest(context);
  const mr = found.record;
  const approvers = (mr.approved_by ?? []).flatMap((id) => {
    const user = context.store.user(id);
    return user ? [{ user: representUser(user, context.baseUrl) }] : [];
  });
  const required = mr.approvals_required ?? 0;
  const left = Math.max(0, required - approvers.length);
  return {
    status: 200,
    body: {
      id: found.id,
      iid: mr.iid,
      project_id: mr.project_id,
      title: mr.title,
      state: mr.state,
      merge_status: 'can_be_merged',
      approved: left === 0,
      approvals_required: required,
      approvals_left: left,
      approved_by: approvers,
    },
  };
};

export const listDiscussions: RouteHandler = (context) => {
  const { found } = findMergeRequest(context);
  const discussions = (found.record.discussions ?? []).map((d, index) => ({
    id: d.id,
    individual_note: false,
    notes: [
      {
        id: 40_000 + index,
        type: 'DiffNote',
        body: 'thread',
        system: false,
        resolvable: d.resolvable,
        ...(d.resolvable && { resolved: d.resolved }),
      },
    ],
  }));
  const page = paginate(discussions, context.url, context.perPageMax);
  return { status: 200, body: page.items, headers: page.headers };
};

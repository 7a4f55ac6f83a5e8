// `GET /projects/:id/members[/all][/:user_id]`: who belongs to a project, directly or through its groups.
// https://docs.gitlab.com/api/members/

import { paginate } from '../pagination.js';
import { badRequest, recordNotFound } from '../replies.js';
import { representUser } from '../representations.js';
import type { FakeMember } from '../types.js';
import { findProject } from './lookups.js';
import type { RouteContext, RouteHandler } from './route-context.js';

/** Members of the project itself. */
export const listMembers: RouteHandler = (context) => {
  const project = findProject(context);
  return membersReply(context, context.store.memberships.directMembers(project));
};

/** Members including those of the groups above, each with their highest access level. */
export const listAllMembers: RouteHandler = (context) => {
  const project = findProject(context);
  return membersReply(context, context.store.memberships.allMembers(project));
};

export const getMember: RouteHandler = (context) => {
  const userId = readUserId(context);
  const project = findProject(context);
  return memberReply(context, context.store.memberships.directMembers(project), userId);
};

export const getMemberIncludingInherited: RouteHandler = (context) => {
  const userId = readUserId(context);
  const project = findProject(context);
  return memberReply(context, context.store.memberships.allMembers(project), userId);
};

function membersReply(context: RouteContext, members: FakeMember[]) {
  const page = paginate(members, context.url, context.perPageMax);
  return { status: 200, body: page.items.map((member) => representMember(context, member)), headers: page.headers };
}

// GitLab looks the member up with `find_by!`, so a non-member gets the generic record-not-found answer.
function memberReply(context: RouteContext, members: FakeMember[], userId: number) {
  const member = members.find((candidate) => candidate.user_id === userId);
  if (!member) throw recordNotFound();
  return { status: 200, body: representMember(context, member) };
}

function readUserId(context: RouteContext): number {
  const text = context.path['user_id'] ?? '';
  if (!/^\d+$/.test(text)) throw badRequest('user_id is invalid');
  return Number(text);
}

function representMember({ store, baseUrl }: RouteContext, member: FakeMember) {
  const user = store.user(member.user_id);
  if (!user) throw new Error(`fake GitLab: member ${member.user_id} is not a known user`);
  return {
    ...representUser(user, baseUrl),
    access_level: member.access_level,
    expires_at: null,
    membership_state: 'active',
  };
}

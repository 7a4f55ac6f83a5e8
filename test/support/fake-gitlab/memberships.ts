// Groups and memberships: a user's access to a project, directly or inherited from the groups above it.
// https://docs.gitlab.com/api/members/ — "including inherited members": the highest access level wins.

import type { FakeGroup, FakeMember, FakeProject } from './types.js';

/** Minimal access, guest, planner, reporter, developer, maintainer, owner. */
const ACCESS_LEVELS: ReadonlySet<number> = new Set([5, 10, 15, 20, 30, 40, 50]);

export class Memberships {
  private readonly groups = new Map<number, FakeGroup>();
  private readonly groupMembers = new Map<number, Map<number, FakeMember>>();
  private readonly projectMembers = new Map<number, Map<number, FakeMember>>();

  addGroup(group: FakeGroup): void {
    this.groups.set(group.id, { ...group });
  }

  /** A group by numeric id or by `full_path` (case-insensitive, as GitLab resolves paths). */
  group(ref: string | number): FakeGroup | undefined {
    if (typeof ref === 'number' || /^\d+$/.test(ref)) return this.groups.get(Number(ref));
    const wanted = ref.toLowerCase();
    return [...this.groups.values()].find((group) => group.full_path.toLowerCase() === wanted);
  }

  /** Every group, in the order added. */
  allGroups(): FakeGroup[] {
    return [...this.groups.values()];
  }

  /** The full path of the namespace a project lives in. */
  namespacePath(project: FakeProject): string {
    const group = project.namespace_group_id === undefined ? undefined : this.groups.get(project.namespace_group_id);
    return group?.full_path ?? project.path_with_namespace.split('/').slice(0, -1).join('/');
  }

  /** Whether `project` lives in `group` or in one of its subgroups. */
  contains(group: FakeGroup, project: FakeProject): boolean {
    return isWithin(this.namespacePath(project), group.full_path);
  }

  addProjectMember(projectId: number, member: FakeMember, caller: string): void {
    requireAccessLevel(member, caller);
    membersOf(this.projectMembers, projectId).set(member.user_id, { ...member });
  }

  addGroupMember(groupId: number, member: FakeMember, caller: string): void {
    requireAccessLevel(member, caller);
    if (member.inherited_from_group !== undefined) {
      throw new Error(`${caller}: inherited_from_group is for project members; add the member to that group instead`);
    }
    membersOf(this.groupMembers, groupId).set(member.user_id, { ...member });
  }

  /** Members added to the project itself, as `GET /projects/:id/members` lists them. */
  directMembers(project: FakeProject): FakeMember[] {
    const own = [...(this.projectMembers.get(project.id)?.values() ?? [])];
    return own.filter((member) => member.inherited_from_group === undefined).sort(byUserId);
  }

  /** Every member with their effective (highest) access level, as `…/members/all` lists them. */
  allMembers(project: FakeProject): FakeMember[] {
    const inherited = this.groupsAbove(project).map((group) => this.groupMembers.get(group.id));
    const sources = [this.projectMembers.get(project.id), ...inherited];
    const best = new Map<number, FakeMember>();
    for (const member of sources.flatMap((members) => [...(members?.values() ?? [])])) {
      const known = best.get(member.user_id);
      if (!known || member.access_level > known.access_level) best.set(member.user_id, member);
    }
    return [...best.values()].sort(byUserId);
  }

  /** Registered groups that the project's namespace is, or lies under. */
  private groupsAbove(project: FakeProject): FakeGroup[] {
    const path = this.namespacePath(project);
    return [...this.groups.values()].filter((group) => isWithin(path, group.full_path));
  }
}

function isWithin(path: string, ancestor: string): boolean {
  const [lowerPath, lowerAncestor] = [path.toLowerCase(), ancestor.toLowerCase()];
  return lowerPath === lowerAncestor || lowerPath.startsWith(`${lowerAncestor}/`);
}

function membersOf(index: Map<number, Map<number, FakeMember>>, id: number): Map<number, FakeMember> {
  const existing = index.get(id);
  if (existing) return existing;
  const created = new Map<number, FakeMember>();
  index.set(id, created);
  return created;
}

function requireAccessLevel(member: FakeMember, caller: string): void {
  if (!ACCESS_LEVELS.has(member.access_level)) {
    const levels = [...ACCESS_LEVELS].join(', ');
    throw new Error(`${caller}: access_level must be one of ${levels}, got ${member.access_level}`);
  }
}

function byUserId(a: FakeMember, b: FakeMember): number {
  return a.user_id - b.user_id;
}

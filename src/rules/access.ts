// GitLab's project roles and their access levels (doc/api/members.md).

export const ACCESS_LEVELS = { guest: 10, planner: 15, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;
export type Role = keyof typeof ACCESS_LEVELS;
export const ROLES = Object.keys(ACCESS_LEVELS) as Role[];

/** `Developer` for 30; the highest role at or below other levels (e.g. 5 minimal access → undefined). */
export function roleName(level: number): string | undefined {
  const role = [...ROLES].reverse().find((name) => ACCESS_LEVELS[name] <= level);
  return role && role[0]!.toUpperCase() + role.slice(1);
}

// Project membership: a user's effective access level, inherited and invited memberships included.
import { z } from 'zod';
import { GitLabApiError } from '../errors.js';
import type { GitLabClient } from './client.js';
import { projectPath } from './project-path.js';

const MemberSchema = z.object({ id: z.number(), access_level: z.number() });

/**
 * Looks up access levels with `GET /projects/:id/members/all/:user_id` (which counts group and invited
 * memberships) and remembers each answer for `ttlMs` (default one minute), so a burst of commands
 * costs one call per user. A user who is not a member has level 0.
 */
export class MemberDirectory {
  private readonly levels = new Map<string, { level: number; at: number }>();

  constructor(private readonly options: { ttlMs?: number; now?: () => number } = {}) {}

  async accessLevel(gitlab: GitLabClient, project: number, userId: number): Promise<number> {
    const key = `${project}:${userId}`;
    const now = (this.options.now ?? Date.now)();
    const cached = this.levels.get(key);
    if (cached && now - cached.at < (this.options.ttlMs ?? 60_000)) return cached.level;
    let level = 0;
    try {
      const member = await gitlab.request('GET', `${projectPath(project)}/members/all/${userId}`, { schema: MemberSchema });
      level = member.access_level;
    } catch (error) {
      if (!(error instanceof GitLabApiError && error.status === 404)) throw error;
    }
    this.levels.set(key, { level, at: now });
    return level;
  }
}

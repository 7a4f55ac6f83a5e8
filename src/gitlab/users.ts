// Users: who the token acts as, and username ↔ id look-ups (cached, since both rarely change).
import type { GitLabClient } from './client.js';
import { UserSchema, type User } from './schemas.js';

/** `GET /user`: the user the token acts as (for a project access token, its `project_…_bot_…` user). */
export function getCurrentUser(gitlab: GitLabClient): Promise<User> {
  return gitlab.request('GET', '/user', { schema: UserSchema });
}

/**
 * Resolves usernames to ids and ids to usernames with one call per unknown user, remembered for
 * `ttlMs` (default one hour). Unknown usernames resolve to undefined.
 */
export class UserDirectory {
  private readonly byName = new Map<string, { user: User | undefined; at: number }>();
  private readonly byId = new Map<number, { user: User; at: number }>();

  constructor(private readonly options: { ttlMs?: number; now?: () => number } = {}) {}

  async findByUsername(gitlab: GitLabClient, username: string): Promise<User | undefined> {
    const key = username.toLowerCase();
    const cached = this.byName.get(key);
    if (cached && this.fresh(cached.at)) return cached.user;
    const found = await gitlab.request('GET', '/users', { query: { username }, schema: UserSchema.array() });
    const user = found[0];
    this.remember(key, user);
    return user;
  }

  async findById(gitlab: GitLabClient, id: number): Promise<User> {
    const cached = this.byId.get(id);
    if (cached && this.fresh(cached.at)) return cached.user;
    const user = await gitlab.request('GET', `/users/${id}`, { schema: UserSchema });
    this.remember(user.username.toLowerCase(), user);
    return user;
  }

  /** Records a user seen in a webhook payload, saving a later look-up. */
  remember(username: string, user: User | undefined): void {
    const at = this.now();
    this.byName.set(username.toLowerCase(), { user, at });
    if (user) this.byId.set(user.id, { user, at });
  }

  private fresh(at: number): boolean {
    return this.now() - at < (this.options.ttlMs ?? 3_600_000);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

// The fake's access tokens: personal/project/group tokens with scopes and expiry, self-rotation with GitLab's
// reuse detection, OAuth applications with refresh-token rotation, and CI job tokens.

import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';
import type { FakeAccessToken, FakeOAuthApplication, TokenSeed } from './types.js';

const DAY_MS = 86_400_000;

/** GitLab's default longest lifetime of an access token. */
export const MAX_LIFETIME_DAYS = 365;

export class Tokens {
  private readonly byValue = new Map<string, FakeAccessToken>();
  private readonly applications: FakeOAuthApplication[] = [];
  private nextId = 1_000;
  /** Seconds an OAuth access token lasts (GitLab: 7200). */
  oauthLifetimeSeconds = 7200;
  /** Called when a rotation is made, before the answer is sent (the crash test stops rulebot there). */
  onRotate: ((old: FakeAccessToken, fresh: FakeAccessToken) => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly userId: number,
  ) {}

  /** Adds a token; defaults: a personal access token with the `api` scope that never expires. */
  add(seed: TokenSeed): FakeAccessToken {
    const token: FakeAccessToken = {
      id: seed.id ?? this.nextId++,
      token: seed.token,
      name: seed.name ?? 'rulebot',
      scopes: seed.scopes ?? ['api'],
      expires_at: seed.expires_at ?? null,
      revoked: false,
      kind: seed.kind ?? 'personal',
      user_id: seed.user_id ?? this.userId,
      family: 0,
      created_at: this.clock.iso(),
      ...(seed.oauth_expires_at !== undefined && { oauth_expires_at: seed.oauth_expires_at }),
    };
    token.family = token.id;
    this.byValue.set(token.token, token);
    return token;
  }

  find(value: string | undefined): FakeAccessToken | undefined {
    return value === undefined ? undefined : this.byValue.get(value);
  }

  all(): FakeAccessToken[] {
    return [...this.byValue.values()];
  }

  /** Whether GitLab would accept it now: not revoked, and not past its expiry. */
  active(token: FakeAccessToken): boolean {
    if (token.revoked) return false;
    if (token.kind === 'oauth') return (token.oauth_expires_at ?? Infinity) > this.clock.ms();
    // A token is active while its expiry date is after today (UTC).
    return token.expires_at === null || token.expires_at > this.clock.today();
  }

  /**
   * `POST /personal_access_tokens/self/rotate`: revokes `old` and makes its successor in the same family,
   * expiring on `expiresAt` (default: in a week, as GitLab does when an expiry is required).
   */
  rotate(old: FakeAccessToken, expiresAt: string | undefined): FakeAccessToken {
    old.revoked = true;
    const fresh = this.add({
      token: `glpat-${randomBytes(15).toString('base64url')}`,
      name: old.name,
      scopes: old.scopes,
      expires_at: expiresAt ?? new Date(this.clock.ms() + 7 * DAY_MS).toISOString().slice(0, 10),
      kind: old.kind,
      user_id: old.user_id,
    });
    fresh.family = old.family;
    this.onRotate?.(old, fresh);
    return fresh;
  }

  /** GitLab's reuse detection: a revoked token used to rotate revokes every active token of its family. */
  revokeFamily(family: number): void {
    for (const token of this.byValue.values()) if (token.family === family) token.revoked = true;
  }

  /** The latest date `expires_at` may name. */
  maxExpiry(): string {
    return new Date(this.clock.ms() + MAX_LIFETIME_DAYS * DAY_MS).toISOString().slice(0, 10);
  }

  addApplication(application: FakeOAuthApplication): void {
    this.applications.push({ ...application });
  }

  applicationById(clientId: string): FakeOAuthApplication | undefined {
    return this.applications.find((app) => app.client_id === clientId);
  }

  application(clientId: string | undefined, clientSecret: string | undefined): FakeOAuthApplication | undefined {
    return this.applications.find((app) => app.client_id === clientId && app.client_secret === clientSecret);
  }

  /**
   * `grant_type=refresh_token`: the refresh token is spent, the access token it was issued with is
   * revoked, and a new pair is issued (doc/api/oauth2.md).
   */
  refresh(application: FakeOAuthApplication, refreshToken: string): { access: FakeAccessToken; refresh: string } | undefined {
    if (application.refresh_token !== refreshToken || application.spent.includes(refreshToken)) return undefined;
    application.spent.push(refreshToken);
    if (application.access_token) {
      const previous = this.byValue.get(application.access_token);
      if (previous) previous.revoked = true;
    }
    const access = this.add({
      token: `oauth-access-${randomBytes(12).toString('hex')}`,
      kind: 'oauth',
      scopes: ['api'],
      oauth_expires_at: this.clock.ms() + this.oauthLifetimeSeconds * 1000,
    });
    application.access_token = access.token;
    application.refresh_token = `oauth-refresh-${randomBytes(12).toString('hex')}`;
    application.refreshes++;
    return { access, refresh: application.refresh_token };
  }
}

// What an access token's expiry and scopes mean for rulebot: days left, when to rotate, what the scopes cannot do.

export const DAY_MS = 86_400_000;

/**
 * The instant a token whose `expires_at` is `YYYY-MM-DD` stops working: 00:00 UTC that day (GitLab
 * counts a token active while its expiry date is after today, UTC).
 */
export function expiryInstant(expiresAt: string): number {
  return Date.parse(`${expiresAt.slice(0, 10)}T00:00:00Z`);
}

/** Whole days left before the token stops working (0 on its last day, negative once expired). */
export function daysLeft(expiresAt: string, now: number): number {
  return Math.floor((expiryInstant(expiresAt) - now) / DAY_MS);
}

/** Whether a token expiring on `expiresAt` is due for rotation `beforeDays` ahead. */
export function rotationDue(expiresAt: string | null | undefined, now: number, beforeDays: number): boolean {
  return typeof expiresAt === 'string' && expiryInstant(expiresAt) - now <= beforeDays * DAY_MS;
}

/** The `expires_at` to ask for: `days` days from now, as GitLab's date (`YYYY-MM-DD`, UTC). */
export function expiryDate(now: number, days: number): string {
  return new Date(now + days * DAY_MS).toISOString().slice(0, 10);
}

/** From this many days before expiry, the daily check warns in the log. */
export const WARN_BEFORE_DAYS = 30;

/**
 * What is wrong with a token's scopes for the work asked of it, or undefined. Rules edit merge requests
 * and issues and post comments, which needs `api`; a dry run only reads, which `read_api` allows.
 */
export function scopeProblem(scopes: readonly string[], dryRun: boolean): string | undefined {
  if (scopes.includes('api')) return undefined;
  if (dryRun && scopes.includes('read_api')) return undefined;
  const has = scopes.length > 0 ? scopes.join(', ') : 'none';
  return (
    `GITLAB_TOKEN has the scopes ${has}, but rulebot's rules edit merge requests and issues and post comments, ` +
    `which needs the api scope${dryRun ? ' (read_api is enough for DRY_RUN)' : ''}: create a token with the api scope ` +
    '(Settings > Access tokens, Developer role) and set it as GITLAB_TOKEN'
  );
}

/** Whether a token with these scopes may rotate itself (`api`, or `self_rotate` on newer GitLab). */
export function canRotateItself(scopes: readonly string[]): boolean {
  return scopes.includes('api') || scopes.includes('self_rotate');
}

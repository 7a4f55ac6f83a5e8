// `request_review: {pick, from}`: the candidates with the fewest open merge requests to review.
import { countOpenReviews, type GitLabClient } from '../gitlab/index.js';
import { resolveUsernames, type Rule } from '../rules/index.js';
import type { RuleEvent } from '../event/event.js';

/** How long a count of open reviews is trusted before it is read again. */
const REVIEW_LOAD_TTL_MS = 10 * 60_000;

/** Remembers each user's count of open reviews for a while; a pick counts at once, so picks spread. */
export class ReviewLoadCache {
  private readonly entries = new Map<string, { count: number; at: number }>();

  get(username: string, now: number): number | undefined {
    const entry = this.entries.get(username.toLowerCase());
    return entry && now - entry.at < REVIEW_LOAD_TTL_MS ? entry.count : undefined;
  }

  set(username: string, count: number, now: number): void {
    this.entries.set(username.toLowerCase(), { count, at: now });
  }

  /** One more review for `username`, keeping the time it was read. */
  add(username: string): void {
    const entry = this.entries.get(username.toLowerCase());
    if (entry) entry.count += 1;
  }
}

/**
 * For each matched rule with `request_review: {pick, from}`, the `pick` candidates with the fewest
 * open merge requests to review (ties keep the order of `from`); the author is never picked. One
 * listing call per candidate whose count is not remembered.
 */
export async function pickReviewers(
  rules: readonly Rule[],
  event: RuleEvent,
  options: { gitlab: GitLabClient; cache: ReviewLoadCache; now: number; authorUsername: string | undefined },
): Promise<Map<string, string[]>> {
  const picks = new Map<string, string[]>();
  for (const rule of rules) {
    const spec = rule.then.request_review;
    if (!spec || Array.isArray(spec)) continue;
    const author = options.authorUsername?.toLowerCase();
    // `from` names users as `assign` does (`@me`, templates, arguments); what it cannot tell is
    // reported when the picks are planned, not picked.
    const candidates = resolveUsernames(spec.from, event, options.authorUsername).usernames.filter((name) => name.toLowerCase() !== author);
    const loads: { username: string; count: number }[] = [];
    for (const username of candidates) {
      let count = options.cache.get(username, options.now);
      if (count === undefined) {
        count = await countOpenReviews(options.gitlab, username);
        options.cache.set(username, count, options.now);
      }
      loads.push({ username, count });
    }
    const picked = loads
      .map((load, index) => ({ ...load, index }))
      .sort((a, b) => a.count - b.count || a.index - b.index)
      .slice(0, spec.pick)
      .map((load) => load.username);
    for (const username of picked) options.cache.add(username);
    picks.set(rule.key, picked);
  }
  return picks;
}

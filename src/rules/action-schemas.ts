// zod schemas of the actions that edit fields of a merge request or issue: milestone, due date, people removed, draft, lock, confidentiality.
import { z } from 'zod';
import { readUserItem } from './user-list.js';

const nonEmpty = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}, got an empty string` });
/** Users an action names: usernames, `@me`, `{{ args }}`, `{{ user.username }}`, `{{ author.username }}` (see user-list.ts). */
const ActionUser = nonEmpty('a username').transform((item, ctx) => {
  const read = readUserItem(item);
  if ('error' in read) {
    ctx.addIssue({ code: 'custom', message: read.error });
    return z.NEVER;
  }
  return read.value;
});
export const ActionUserList = z.array(ActionUser, { error: 'expected a list of usernames' });

/** `milestone: "17.0"` sets it, `milestone: null` removes it. */
export const MilestoneAction = z.union([nonEmpty('a milestone title'), z.null()], { error: 'expected a milestone title, or null to remove it' });

/** A due date in days or weeks from the day the action runs: `+7d`, `+2w`. */
export const RELATIVE_DATE = /^\+(\d{1,4})([dw])$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const DUE_DATE_EXPECTED = 'expected "+Nd" or "+Nw" (days or weeks from the day it runs, e.g. "+7d"), a date "YYYY-MM-DD", or null to remove it';

export const DueDateAction = z.union(
  [
    z.string().refine((text) => RELATIVE_DATE.test(text) || (ISO_DATE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`))), { error: DUE_DATE_EXPECTED }),
    z.null(),
  ],
  { error: DUE_DATE_EXPECTED },
);

/** `true` removes everyone; a list removes those users. */
export const PeopleRemoval = z.union([z.literal(true), ActionUserList.min(1)], { error: 'expected true (everyone) or a list of usernames' });

/** The date (`YYYY-MM-DD`, UTC) a due date action sets, on the day `now` falls in. */
export function resolveDueDate(spec: string, now: number): string {
  const relative = RELATIVE_DATE.exec(spec);
  if (!relative) return spec;
  const days = Number(relative[1]) * (relative[2] === 'w' ? 7 : 1);
  return new Date(now + days * 86_400_000).toISOString().slice(0, 10);
}

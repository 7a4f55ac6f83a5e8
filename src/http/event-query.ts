// The filters of `GET /api/events` (and of the page's event list), read from a query string.
import { z } from 'zod';
import { DECISION_OUTCOMES, type DecisionQuery } from '../store/index.js';

/** An empty field (a form left blank) counts as absent. */
const absentIfBlank = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema.optional());

export const EventQuerySchema = z.strictObject({
  project: absentIfBlank(z.string().trim().max(300)),
  iid: absentIfBlank(z.string().trim().regex(/^[!#]?\d{1,10}$/, { error: 'expected a merge request or issue number such as 42, !42 or #17' })),
  kind: absentIfBlank(z.enum(['merge_request', 'issue'], { error: 'expected merge_request or issue' })),
  rule: absentIfBlank(z.string().max(300)),
  outcome: absentIfBlank(z.enum(DECISION_OUTCOMES, { error: `expected one of ${DECISION_OUTCOMES.join(', ')}` })),
  event: absentIfBlank(z.string().trim().max(100)),
  limit: z.coerce.number({ error: 'expected a number from 1 to 200' }).int().min(1).max(200),
  before: absentIfBlank(z.string().regex(/^\d{1,18}$/, { error: 'expected the next_before of a previous page' })),
});

/** The query, or what is wrong with it in words (`limit: expected …`). `!42` and `#17` in `iid` also say the kind. */
export function readEventQuery(params: Record<string, string>, defaultLimit = 50): DecisionQuery | { error: string } {
  const parsed = EventQuerySchema.safeParse({ limit: String(defaultLimit), ...params });
  if (!parsed.success) {
    return { error: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`).join('; ') };
  }
  const { iid, kind, ...rest } = parsed.data;
  const sigil = iid?.[0];
  const impliedKind = sigil === '!' ? 'merge_request' : sigil === '#' ? 'issue' : undefined;
  return { ...rest, iid: iid === undefined ? undefined : Number(iid.replace(/^[!#]/, '')), kind: kind ?? impliedKind };
}

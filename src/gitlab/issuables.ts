// Merge requests and issues as the REST API represents them (single reads and lists alike).
import { z } from 'zod';

const Time = z
  .string()
  .nullish()
  .transform((text) => (text ? new Date(text) : undefined));

/** The fields rulebot reads from `GET …/merge_requests(/:iid)` and `GET …/issues(/:iid)`. */
export const IssuableSchema = z.object({
  id: z.number().optional(),
  iid: z.number(),
  project_id: z.number(),
  title: z.string(),
  description: z.string().nullish(),
  state: z.string(),
  labels: z.array(z.string()),
  author: z.object({ id: z.number(), username: z.string() }),
  assignees: z.array(z.object({ id: z.number(), username: z.string().optional() })).nullish().transform((users) => users ?? []),
  reviewers: z.array(z.object({ id: z.number(), username: z.string().optional() })).nullish().transform((users) => users ?? []),
  source_branch: z.string().optional(),
  target_branch: z.string().optional(),
  draft: z.boolean().optional(),
  sha: z.string().nullish(),
  web_url: z.string().default(''),
  created_at: Time,
  updated_at: Time,
  merged_at: Time,
  references: z.object({ full: z.string() }).nullish(),
  /** Merge requests: https://docs.gitlab.com/api/merge_requests/#merge-status */
  detailed_merge_status: z.string().nullish(),
  has_conflicts: z.boolean().nullish(),
  head_pipeline: z.object({ status: z.string() }).nullish().catch(undefined),
  milestone: z.object({ title: z.string() }).nullish().catch(undefined),
  /** Issues. */
  confidential: z.boolean().nullish(),
  issue_type: z.string().nullish(),
});
export type Issuable = z.infer<typeof IssuableSchema>;

/**
 * The project path of an item from a group listing: from `references.full` (`group/project!12`)
 * or else from its `web_url` (`https://host/group/project/-/merge_requests/12`).
 */
export function issuableProjectPath(item: Issuable): string | undefined {
  const full = item.references?.full;
  if (full) return full.replace(/[!#]\d+$/, '');
  const match = /^https?:\/\/[^/]+\/(.+?)\/-\/(?:merge_requests|issues)\/\d+/.exec(item.web_url);
  return match?.[1];
}

// zod schemas for the parts of GitLab API answers rulebot reads (unknown fields are dropped).
import { z } from 'zod';

export const UserSchema = z.object({
  id: z.number(),
  username: z.string(),
  name: z.string().optional(),
});
export type User = z.infer<typeof UserSchema>;

export const DiffSchema = z.object({
  old_path: z.string(),
  new_path: z.string(),
  diff: z.string().default(''),
  new_file: z.boolean().default(false),
  renamed_file: z.boolean().default(false),
  deleted_file: z.boolean().default(false),
  /** GitLab leaves `diff` empty for files too large to show, or collapsed (doc/api/merge_requests.md). */
  too_large: z.boolean().nullish(),
  collapsed: z.boolean().nullish(),
});
export type Diff = z.infer<typeof DiffSchema>;

// A planned GitLab write: data first, so dry-run, `simulate` and the real executor share one plan.
import type { HttpMethod } from '../gitlab/index.js';

export interface ApiCall {
  method: HttpMethod;
  /** Path below `/api/v4`, e.g. `/projects/1/merge_requests/2`. */
  path: string;
  body: Record<string, unknown>;
  /** Names of the rules this call carries out. */
  rules: string[];
  /** Set on reactions: the emoji awarded (GitLab refuses the same emoji twice from one user). */
  reaction?: string;
}

// Who may read what rulebot decided and change its queue: the people holding a webhook secret, signing token or UI_TOKEN.
import { createBearerVerifier } from './verify-token.js';

/**
 * The check for the operator routes (`/status`, `/dead-letters`, `/api/events`, `/metrics`):
 * `Authorization: Bearer <credential>`. Undefined when no credential is configured: those routes
 * are then open, as `/status` always was without a secret (dry-run set-ups on a laptop).
 */
export function operatorCheck(credentials: readonly string[]): ((authorization: string | undefined) => void) | undefined {
  return credentials.length > 0 ? createBearerVerifier(credentials) : undefined;
}

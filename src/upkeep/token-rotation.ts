// One rotation of an access token: the lease, GitLab's answer stored before use, and every way it can fail.
import { GitLabApiError } from '../errors.js';
import { getTokenSelf, rotateTokenSelf, type GitLabClient } from '../gitlab/index.js';
import type { Logger } from '../log.js';
import type { CredentialRecord, CredentialRecords } from './credential-record.js';
import { lostTokenHelp } from './lost-token.js';
import type { RecordLine } from './record-line.js';
import { expiryDate } from './token-facts.js';

/** What a rotation needs from the token that holds it. */
export interface RotationContext {
  line: RecordLine;
  records: CredentialRecords;
  log: Logger;
  now: () => number;
  lifetimeDays: number;
  /** A client sending exactly this token and never renewing it on a 401. */
  clientFor: (token: string) => GitLabClient;
  /** The token in use now, and taking a new one. */
  token(): string;
  use(token: string): void;
  /** GitLab says this token cannot rotate itself: stop trying until the next start. */
  refuse(): void;
}

/**
 * Rotates if `due` still holds for the freshest record and nobody else is rotating: takes the lease,
 * asks GitLab (`POST /personal_access_tokens/self/rotate`), and seals and stores the new token before
 * anything uses it. GitLab revokes the old token as it answers, and rotating it again would make
 * GitLab revoke the new one too (issue 524639): a rotation whose outcome is unknown is looked into,
 * never repeated blindly.
 */
export async function rotateToken(context: RotationContext, reason: string, due: (record: CredentialRecord) => boolean): Promise<void> {
  const { line, log, now } = context;
  let read = await line.read();
  let record = read.record;
  if (!record || !line.mine(record) || record.problem?.lost) return;
  if (record.pending) {
    if (!line.abandoned(record.pending, false)) return; // another process or isolate is rotating right now
    await lookIntoUnfinished(context);
    read = line.last;
    record = read.record;
    if (!record || !line.mine(record) || record.pending || record.problem?.lost) return;
  }
  // Rotated meanwhile by another process or isolate: its new token is not due.
  if (!due(record)) return;
  const used = context.token();
  const claimed = await line.claim(read);
  if (!claimed) {
    await line.read(); // someone else changed the record first: theirs is the newer state
    return;
  }
  log.info('rotating the GitLab token', { reason });
  let rotated;
  try {
    rotated = await rotateTokenSelf(context.clientFor(used), expiryDate(now(), context.lifetimeDays));
  } catch (error) {
    await rotationFailed(context, error, used);
    return;
  }
  // The new token exists nowhere else: it is sealed and stored before anything uses it.
  log.redact(rotated.token);
  const next: CredentialRecord = {
    ...record,
    generation: record.generation + 1,
    sealed: await context.records.seal(rotated.token),
    token_id: rotated.id,
    scopes: rotated.scopes,
    expires_at: rotated.expires_at,
    changed_at: now(),
    checked_at: now(),
    pending: undefined,
    problem: undefined,
  };
  context.use(rotated.token);
  await line.store(claimed, next, 'rotated GitLab token');
  log.info('GitLab token rotated', { token_id: rotated.id, token_expires_at: rotated.expires_at });
}

async function rotationFailed(context: RotationContext, error: unknown, used: string): Promise<void> {
  const { line, log } = context;
  if (!(error instanceof GitLabApiError)) {
    await line.settle({ message: `rotating the token failed: ${String(error)}` });
    throw error;
  }
  if (error.status === 400) {
    const message = `GitLab refused to rotate the token (${error.message}); the token still works. Check TOKEN_LIFETIME_DAYS (${context.lifetimeDays}) against the instance's longest token lifetime`;
    log.error(message);
    await line.settle({ message });
  } else if (error.status === 403 || error.status === 404 || error.status === 405) {
    const message =
      error.status === 403
        ? `GitLab does not let this token rotate itself (${error.message}): give it the api or self_rotate scope, or set TOKEN_ROTATION=off and renew it by hand`
        : `GitLab cannot rotate this token itself (${error.message}): self-rotation needs GitLab 16.10 or later and a personal, project or group access token; renew it by hand`;
    log.error(message);
    await line.settle({ message });
    // Until the next start: asking again every day would only repeat the refusal.
    context.refuse();
  } else if (error.status === 401) {
    // Revoked already: rotated by another rulebot sharing this token, or expired.
    await line.read();
    if (context.token() === used) await markLost(context, 'refused', 'GitLab refused the token when rulebot asked to rotate it (401)');
  } else {
    // No answer, or a 5xx: GitLab may have rotated it. Asking with the old token tells.
    await lookIntoUnfinished(context);
  }
}

/**
 * A rotation began and its outcome is unknown (rulebot stopped, or the answer was lost). GitLab
 * revoked the old token if it rotated: a 401 for `GET /personal_access_tokens/self` says so.
 */
export async function lookIntoUnfinished(context: RotationContext): Promise<void> {
  const { line } = context;
  try {
    await getTokenSelf(context.clientFor(context.token()));
  } catch (error) {
    if (error instanceof GitLabApiError && error.status === 401) {
      await markLost(context, 'rotation', `a rotation began at ${line.pendingSince()} and its answer was never stored`);
      return;
    }
    if (error instanceof GitLabApiError && error.retryable) return; // asked again at the next check
    if (!(error instanceof GitLabApiError && (error.status === 403 || error.status === 404))) throw error;
  }
  context.log.warn(`a token rotation begun at ${line.pendingSince()} did not happen (the token still works); it is tried again when due`);
  await line.settle(undefined);
}

/** Records the token as gone, with the steps that bring rulebot back (in the log, `/readyz`, the next start). */
export async function markLost(context: Pick<RotationContext, 'line' | 'log'>, cause: 'rotation' | 'refused', what: string): Promise<void> {
  const message = lostTokenHelp({ cause, what, tokenId: context.line.record?.token_id });
  context.log.error(message);
  await context.line.settle({ message, lost: true });
}

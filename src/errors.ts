// The closed set of errors rulebot raises, each with a stable code; mapped to answers and log lines in one place.

/** Base of every error rulebot raises on purpose. `code` is stable and machine-readable. */
export abstract class RulebotError extends Error {
  abstract readonly code: string;
  /** HTTP status when the error is answered to a webhook sender. */
  readonly status: number = 500;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type WebhookAuthErrorCode =
  | 'missing_token'
  | 'invalid_token'
  | 'missing_signature'
  | 'invalid_signature'
  | 'stale_timestamp';

/**
 * The delivery could not be authenticated: its secret token or signature is missing or wrong, or its signed
 * timestamp is too far from rulebot's clock. Messages never repeat what the sender sent.
 */
export class WebhookAuthError extends RulebotError {
  override readonly status = 401;
  constructor(
    readonly code: WebhookAuthErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type PayloadErrorCode =
  | 'invalid_json'
  | 'not_an_object'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'nesting_too_deep'
  | 'duplicate_key'
  | 'header_too_large'
  | 'token_in_query';

const PAYLOAD_STATUS: Record<PayloadErrorCode, number> = {
  invalid_json: 400,
  not_an_object: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  nesting_too_deep: 400,
  duplicate_key: 400,
  header_too_large: 431,
  token_in_query: 400,
};

/** The webhook request (its body, a header or its URL) cannot be accepted as a GitLab delivery. */
export class PayloadError extends RulebotError {
  override readonly status: number;
  constructor(
    readonly code: PayloadErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = PAYLOAD_STATUS[code];
  }
}

/** A rule file is invalid. `issues` holds one line per problem, each naming file, rule and field. */
export class RuleConfigError extends RulebotError {
  readonly code = 'invalid_rules';
  constructor(readonly issues: readonly string[]) {
    super(issues.join('\n'));
  }
}

/** The process configuration (environment) is invalid. */
export class ConfigError extends RulebotError {
  readonly code = 'invalid_config';
}

/** GitLab answered with an error status, or could not be reached. */
export class GitLabApiError extends RulebotError {
  readonly code: string;
  override readonly status: number;
  readonly method: string;
  readonly path: string;
  /** Whether the same request may succeed later (5xx, 429, network errors). */
  readonly retryable: boolean;
  /** Delay GitLab asked for before a retry, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** GitLab's own message (or why no answer came), without the method and path: for replies to people. */
  readonly detail: string;

  constructor(options: {
    /** HTTP status GitLab answered, or 0 when no answer arrived (network error, timeout). */
    status: number;
    method: string;
    path: string;
    message: string;
    retryable: boolean;
    /** Delay GitLab asked for (Retry-After / RateLimit-Reset), in milliseconds. */
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    super(`${options.method} ${options.path}: ${options.message}`, { cause: options.cause });
    this.status = options.status;
    this.code = options.status === 0 ? 'gitlab_unreachable' : `gitlab_${options.status}`;
    this.method = options.method;
    this.path = options.path;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.detail = options.message;
  }
}

/**
 * A planned action that GitLab refused or that failed: GitLab's error as it was, naming the action
 * (`merge`, `labels`, `assign`) it was carrying out, so a command's reply can say what failed.
 */
export class ActionError extends GitLabApiError {
  /** The action in the words of rule files: `merge`, `rebase`, `labels and assign`, `comment`. */
  readonly action: string;
  /** True when no other call of its list was made before it: nothing of the command or rule was done. */
  readonly nothingMade: boolean;

  constructor(action: string, error: GitLabApiError, options: { nothingMade?: boolean } = {}) {
    super({
      status: error.status,
      method: error.method,
      path: error.path,
      message: error.detail,
      retryable: error.retryable,
      ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }),
      cause: error,
    });
    this.action = action;
    this.nothingMade = options.nothingMade ?? false;
  }
}

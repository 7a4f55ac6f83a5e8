// The process configuration: one typed object built from environment-style variables and injected everywhere.
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { LOG_LEVELS, type LogLevel } from '../log.js';
import { displayUrl, gitlabUrlProblem } from './instance-url.js';
import { SIGNING_KEY_PREFIX } from './signing-key.js';
import { splitSecrets, webhookSecretProblems } from './secret-list.js';
import { credentialWarnings, CredentialEnvSchema, readCredentials, type CredentialConfig } from './credentials.js';


const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((value) => value === '1' || value === 'true' || value === 'yes');

const port = z.coerce.number().int().min(0).max(65535);

/** GitLab's project roles, least first (the access levels themselves are in rules/access.ts). */
const ROLE_NAMES = ['guest', 'planner', 'reporter', 'developer', 'maintainer', 'owner'] as const;

/** Environment variables rulebot reads, with their defaults. Unknown variables are ignored. */
export const EnvSchema = z.object({
  // Credentials, a query or a fragment in the URL are refused, never masked and used: see gitlabUrlProblem.
  GITLAB_URL: z
    .url({ protocol: /^https?$/, abort: true })
    .superRefine((url, ctx) => {
      const problem = gitlabUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('https://gitlab.com'),
  GITLAB_TOKEN: z.string().min(1).optional(),
  GITLAB_TOKEN_TYPE: z.enum(['private', 'oauth', 'job']).default('private'),
  GITLAB_WEBHOOK_SECRET: z.string().min(1).optional(),
  GITLAB_WEBHOOK_SIGNING_KEY: z.string().min(1).optional(),
  RULES_DIR: z.string().min(1).default('rules'),
  PORT: port.default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DRY_RUN: flag.default(false),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  QUEUE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  COMMAND_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  GITLAB_REQUESTS_PER_MINUTE: z.coerce.number().positive().default(600),
  GITLAB_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(30),
  GITLAB_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
  GITLAB_NOTES_PER_MINUTE: z.coerce.number().positive().default(50),
  DATA_DIR: z.string().min(1).default('data'),
  MAX_BODY_BYTES_IN_FLIGHT: z.coerce.number().int().positive().default(100 * 1024 * 1024),
  DATA_DIR_LOCK: z.enum(['wait', 'fail']).default('wait'),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().positive().max(3600).default(10),
  RETRY_BASE_DELAY_SECONDS: z.coerce.number().min(0).default(1),
  // A Cloudflare Queue delays a message by at most 12 hours.
  RETRY_MAX_DELAY_SECONDS: z.coerce.number().min(0).max(43_200).default(300),
  RETRY_GIVE_UP_AFTER_SECONDS: z.coerce.number().positive().default(3600),
  SCAN_STEP_ITEMS: z.coerce.number().int().min(1).max(1000).default(5),
  DEAD_LETTER_QUEUE: z.string().min(1).default('rulebot-dead-letters'),
  ...CredentialEnvSchema.shape,
  PROJECT_CONFIG_FILE: z
    .string()
    .refine((path) => path === 'off' || (!path.startsWith('/') && path.split('/').every((part) => part !== '' && part !== '.' && part !== '..')), {
      message: 'expected a path inside the repository such as .gitlab/rulebot.yml (no leading "/", no "." or ".." parts), or off',
    })
    .default('.gitlab/rulebot.yml'),
  PROJECT_CONFIG_TTL_SECONDS: z.coerce.number().min(0).default(300),
  DECISIONS_RETENTION_DAYS: z.coerce.number().positive().max(3650).default(7),
  DECISIONS_MAX: z.coerce.number().int().min(1).default(50_000),
  UI_TOKEN: z.string().min(1).optional(),
  METRICS_PUBLIC: flag.default(false),
  WHY_COMMAND_ACCESS: z.enum(ROLE_NAMES).default('developer'),
});

const SECRET_VARIABLES = new Set([
  'GITLAB_TOKEN', 'GITLAB_WEBHOOK_SECRET', 'GITLAB_WEBHOOK_SIGNING_KEY',
  'GITLAB_OAUTH_CLIENT_SECRET', 'GITLAB_OAUTH_REFRESH_TOKEN', 'TOKEN_STORE_KEY', 'UI_TOKEN',
]);

export type TokenType = 'private' | 'oauth' | 'job';

export interface Config extends CredentialConfig {
  /** Instance base URL without trailing slash, e.g. `https://gitlab.com`. */
  gitlabUrl: string;
  gitlabToken: string | undefined;
  tokenType: TokenType;
  webhookSecret: string | undefined;
  /** Accepted X-Gitlab-Token values: GITLAB_WEBHOOK_SECRET split at commas (two while rotating). */
  webhookSecrets: string[];
  /** Accepted signing tokens (`whsec_…`): GITLAB_WEBHOOK_SIGNING_KEY split at commas. */
  webhookSigningKeys: string[];
  rulesDir: string;
  port: number;
  host: string;
  /** True when DRY_RUN is set or no token is given: API writes are logged, not sent. */
  dryRun: boolean;
  /** Why dry-run is on, for the startup message. */
  dryRunReason: 'DRY_RUN is set' | 'GITLAB_TOKEN is not set' | undefined;
  logLevel: LogLevel;
  queueConcurrency: number;
  /** Chat-ops commands one user may run per minute on one project. */
  commandRateLimit: number;
  /** Budget of GitLab API calls per minute, shared by everything rulebot does. */
  requestsPerMinute: number;
  /** How long one GitLab request may take before it counts as failed, in ms. */
  gitlabTimeoutMs: number;
  /** Retries of one GitLab request (5xx, 429, network) before the event itself is retried later. */
  gitlabRetries: number;
  /** Budget of notes created per minute (GitLab.com allows 60). */
  notesPerMinute: number;
  /** Where the Node runtime keeps its state (accepted events, deliveries seen, dead letters, schedule runs). */
  dataDir: string;
  /** Node: what a process does when another one holds DATA_DIR: wait until it stops, or exit at once. */
  dataDirLock: 'wait' | 'fail';
  /** Node: how long stopping may take in all (ms); what is still running then is cut and stays stored. */
  shutdownGraceMs: number;
  /** GitLab sends at most 25 MB; anything larger is refused with 413. */
  maxBodyBytes: number;
  /** Bytes of request bodies read at once; further deliveries wait for room instead of being read into memory. */
  maxBodyBytesInFlight: number;
  /** How a failed event is retried: first delay (doubling, full jitter), longest delay, when to give up (ms). */
  retry: { baseDelayMs: number; maxDelayMs: number; giveUpAfterMs: number };
  /** Workers: items one queue message of a schedule scan looks at before handing on to the next. */
  scanStepItems: number;
  /** Workers: the queue whose batches are recorded as dead letters (wrangler.toml's `dead_letter_queue`). */
  deadLetterQueue: string;
  /** The file in each project's repository holding its own rules; undefined when PROJECT_CONFIG_FILE is `off`. */
  projectConfigFile: string | undefined;
  /** How long presets from other projects are used before they are read again, in ms. */
  projectConfigTtlMs: number;
  /** How long decision records are kept (ms) and how many at most. */
  decisions: { retentionMs: number; max: number };
  /** Extra credentials (UI_TOKEN, comma-separated) for the page, the API and the metrics, besides the webhook's secrets. */
  uiTokens: string[];
  /** `/metrics` answers without a bearer token. */
  metricsPublic: boolean;
  /** The least role that may ask `@<bot> why`. */
  whyAccess: (typeof ROLE_NAMES)[number];
}

export const MAX_WEBHOOK_BODY_BYTES = 25 * 1024 * 1024;

/**
 * Builds the configuration from environment-style variables (the process environment on Node, bindings on
 * Workers). Empty strings count as unset. Throws a ConfigError naming every bad variable.
 * Tools that receive no webhooks (the CLI) pass `requireSecret: false`.
 */
export function parseConfig(env: Record<string, string | undefined>, options: { requireSecret?: boolean; readOnly?: boolean } = {}): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key in EnvSchema.shape && value !== undefined && value !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      // Secrets are never repeated, not even malformed ones; nor is what an address holds before an `@`.
      const value = present[name];
      const shown = SECRET_VARIABLES.has(name)
        ? 'a value that is not shown'
        : JSON.stringify(name === 'GITLAB_URL' && value !== undefined ? displayUrl(value) : (value ?? null));
      return `${name}: ${issue.message} (got ${shown})`;
    });
    // One problem stays on one line after "rulebot: cannot start:"; several get a line each.
    throw new ConfigError(`invalid configuration:${lines.length === 1 ? ' ' : '\n'}${lines.join('\n')}`);
  }
  const e = parsed.data;
  const webhookSecrets = splitSecrets(e.GITLAB_WEBHOOK_SECRET);
  const webhookSigningKeys = splitSecrets(e.GITLAB_WEBHOOK_SIGNING_KEY);
  const secretProblems = webhookSecretProblems(webhookSecrets, webhookSigningKeys);
  if (secretProblems.length > 0) throw new ConfigError(`invalid configuration:${secretProblems.length === 1 ? ' ' : '\n'}${secretProblems.join('\n')}`);
  const credentials = readCredentials(e, { readOnly: options.readOnly === true });
  if (credentials.gitlabCredential && webhookSecrets.length === 0 && webhookSigningKeys.length === 0 && options.requireSecret !== false) {
    throw new ConfigError(
      'GITLAB_WEBHOOK_SECRET is required when GITLAB_TOKEN is set, so that only GitLab can trigger actions. ' +
        'Choose a long random string (for example `openssl rand -hex 32`), set it as GITLAB_WEBHOOK_SECRET, ' +
        'and enter the same value as "Secret token" in the project\'s Settings > Webhooks. ' +
        '(A signing token in GITLAB_WEBHOOK_SIGNING_KEY also satisfies this.)',
    );
  }
  const dryRunReason = e.DRY_RUN ? 'DRY_RUN is set' : credentials.gitlabCredential ? undefined : 'GITLAB_TOKEN is not set';
  return {
    ...credentials,
    gitlabUrl: e.GITLAB_URL.replace(/\/+$/, ''),
    gitlabToken: e.GITLAB_TOKEN,
    tokenType: e.GITLAB_TOKEN_TYPE,
    webhookSecret: e.GITLAB_WEBHOOK_SECRET,
    webhookSecrets,
    webhookSigningKeys,
    rulesDir: e.RULES_DIR,
    port: e.PORT,
    host: e.HOST,
    dryRun: dryRunReason !== undefined,
    dryRunReason,
    logLevel: e.LOG_LEVEL,
    queueConcurrency: e.QUEUE_CONCURRENCY,
    commandRateLimit: e.COMMAND_RATE_LIMIT,
    requestsPerMinute: e.GITLAB_REQUESTS_PER_MINUTE,
    gitlabTimeoutMs: e.GITLAB_TIMEOUT_SECONDS * 1000,
    gitlabRetries: e.GITLAB_RETRIES,
    notesPerMinute: e.GITLAB_NOTES_PER_MINUTE,
    dataDir: e.DATA_DIR,
    dataDirLock: e.DATA_DIR_LOCK,
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    maxBodyBytes: MAX_WEBHOOK_BODY_BYTES,
    maxBodyBytesInFlight: e.MAX_BODY_BYTES_IN_FLIGHT,
    retry: {
      baseDelayMs: e.RETRY_BASE_DELAY_SECONDS * 1000,
      maxDelayMs: e.RETRY_MAX_DELAY_SECONDS * 1000,
      giveUpAfterMs: e.RETRY_GIVE_UP_AFTER_SECONDS * 1000,
    },
    scanStepItems: e.SCAN_STEP_ITEMS,
    deadLetterQueue: e.DEAD_LETTER_QUEUE,
    projectConfigFile: e.PROJECT_CONFIG_FILE === 'off' ? undefined : e.PROJECT_CONFIG_FILE,
    projectConfigTtlMs: e.PROJECT_CONFIG_TTL_SECONDS * 1000,
    decisions: { retentionMs: e.DECISIONS_RETENTION_DAYS * 86_400_000, max: e.DECISIONS_MAX },
    uiTokens: splitSecrets(e.UI_TOKEN),
    metricsPublic: e.METRICS_PUBLIC,
    whyAccess: e.WHY_COMMAND_ACCESS,
  };
}

/**
 * Every configured value that must never appear in a log line or an answer: the API token, every webhook
 * secret and signing token (all rotated values), signing tokens also without their `whsec_` prefix.
 */
export function secretValues(config: Config): string[] {
  const signing = config.webhookSigningKeys.flatMap((key) => [key, key.slice(SIGNING_KEY_PREFIX.length)]);
  const oauth = config.oauth ? [config.oauth.clientSecret, config.oauth.refreshToken] : [];
  return [config.gitlabToken, config.webhookSecret, ...config.webhookSecrets, ...signing, ...oauth, config.tokenStoreKey, ...config.uiTokens].filter(
    (value): value is string => !!value,
  );
}

/** Shortest webhook secret token accepted without a warning. */
const WEAK_SECRET_LENGTH = 16;

/** What a valid configuration still gets wrong, one line each, for the log at start (never a value). */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  config.webhookSecrets.forEach((secret, i) => {
    if (secret.length < WEAK_SECRET_LENGTH) {
      warnings.push(
        `GITLAB_WEBHOOK_SECRET: value ${i + 1} of ${config.webhookSecrets.length} is ${secret.length} characters long; ` +
          `a secret shorter than ${WEAK_SECRET_LENGTH} characters can be guessed: use a random one of 32 or more`,
      );
    }
  });
  return [...warnings, ...credentialWarnings(config)];
}

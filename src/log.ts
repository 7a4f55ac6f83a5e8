// Structured JSON-lines logging with levels and redaction of secrets; runtime-neutral (writes through a sink).
import { boundText, redactionForms } from './bounded-text.js';

/** The levels of `LOG_LEVEL`, quietest last. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
  /** Never shows `secret` again, in this logger, its parent and every child (a token rotated while running). */
  redact(secret: string): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Receives each finished line (no trailing newline). Default: `console.log`. */
  write?: (line: string) => void;
  /** Values that must never appear in a log line (tokens, secrets); replaced by `[redacted]`. */
  secrets?: readonly (string | undefined)[];
  now?: () => Date;
}

/** Creates a logger writing one JSON object per line: `{"level","time","msg",...fields}`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => console.log(line));
  const known = [...(options.secrets ?? [])];
  let secrets = redactionForms(known);
  const redact = (text: string) => secrets.reduce((redacted, secret) => redacted.replaceAll(secret, '[redacted]'), text);
  const replacer = errorReplacer(redact);
  const now = options.now ?? (() => new Date());

  const make = (bound: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (RANK[level] < threshold) return;
      // Values are redacted, never field names: a short secret that happens to be a key's text ("level")
      // must not mangle every line.
      write(JSON.stringify({ level, time: now().toISOString(), msg, ...bound, ...fields }, replacer));
    };
    return {
      debug: (msg, fields) => emit('debug', msg, fields),
      info: (msg, fields) => emit('info', msg, fields),
      warn: (msg, fields) => emit('warn', msg, fields),
      error: (msg, fields) => emit('error', msg, fields),
      child: (fields) => make({ ...bound, ...fields }),
      redact: (secret) => {
        known.push(secret);
        secrets = redactionForms(known);
      },
    };
  };
  return make({});
}

/** A logger that drops everything (for tests and tools that report on their own). */
export const silentLogger: Logger = createLogger({ level: 'error', write: () => {} });

/**
 * Errors as `{name, message, code}`. Any error's message may carry text from outside (an answer, a body):
 * it is cut to 2 KB like GitLab's, with its secrets replaced first so that the cut cannot leave part of one.
 */
function errorReplacer(redact: (text: string) => string) {
  return (_key: string, value: unknown): unknown => {
    if (typeof value === 'string') return redact(value);
    if (value instanceof Error) {
      const withCode = value as Error & { code?: unknown };
      return { name: value.name, message: boundText(redact(value.message)), ...(withCode.code !== undefined && { code: withCode.code }) };
    }
    return value;
  };
}

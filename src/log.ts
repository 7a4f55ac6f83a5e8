// Structured JSON-lines logging with levels and redaction of secrets; runtime-neutral (writes through a sink).
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
  /**
   * Adds a value to redact from now on, in this logger and every logger sharing its list (its parent
   * and children): a token rotated or refreshed while running is never logged either.
   */
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
  let secrets = redactionList(options.secrets ?? []);
  const known = [...(options.secrets ?? [])];
  const now = options.now ?? (() => new Date());

  const make = (bound: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (RANK[level] < threshold) return;
      let line = JSON.stringify({ level, time: now().toISOString(), msg, ...bound, ...fields }, errorReplacer);
      for (const secret of secrets) line = line.replaceAll(secret, '[redacted]');
      write(line);
    };
    return {
      debug: (msg, fields) => emit('debug', msg, fields),
      info: (msg, fields) => emit('info', msg, fields),
      warn: (msg, fields) => emit('warn', msg, fields),
      error: (msg, fields) => emit('error', msg, fields),
      child: (fields) => make({ ...bound, ...fields }),
      redact: (secret) => {
        known.push(secret);
        secrets = redactionList(known);
      },
    };
  };
  return make({});
}

/**
 * The strings to replace in a finished line: each secret as written and as JSON escapes it (a secret holding
 * `"` or `\\` appears escaped in the line), longest first so that a secret containing another is replaced whole.
 * Values shorter than 4 characters are skipped: replacing them would garble every line.
 */
function redactionList(secrets: readonly (string | undefined)[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < 4) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** A logger that drops everything (for tests and tools that report on their own). */
export const silentLogger: Logger = createLogger({ level: 'error', write: () => {} });

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const withCode = value as Error & { code?: unknown };
    return { name: value.name, message: value.message, ...(withCode.code !== undefined && { code: withCode.code }) };
  }
  return value;
}

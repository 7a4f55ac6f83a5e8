// The start-up failures an operator meets, each said in one line naming the setting and what to do.
import { resolve } from 'node:path';
import { ConfigError } from '../../errors.js';
import type { Config } from '../../config/config.js';

/** A listen error (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`) said for people; anything else as it is. */
export function explainListenError(error: unknown, config: Pick<Config, 'port' | 'host'>): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') return new ConfigError(`PORT ${config.port} on ${where} is in use by another process: stop it, or set PORT to a free port`, { cause: error });
  if (code === 'EACCES') return new ConfigError(`PORT ${config.port} on ${where} needs privileges this process lacks: set PORT to 1024 or above`, { cause: error });
  if (code === 'EADDRNOTAVAIL') return new ConfigError(`HOST ${config.host} is no address of this machine: set HOST to one of its addresses, or 0.0.0.0 for all`, { cause: error });
  return error;
}

/**
 * An error opening DATA_DIR or its database said for people: what is wrong, how to recover, and what a
 * recovery loses. Anything else is returned as it is.
 */
export function explainDataDirError(error: unknown, dataDir: string): unknown {
  const code = (error as { code?: unknown } | undefined)?.code;
  const dir = resolve(dataDir);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new ConfigError(`DATA_DIR ${dir} cannot be written by this process (${code}): give its user write access, or set DATA_DIR to a directory it may write`, { cause: error });
    case 'ENOTDIR':
    case 'EEXIST':
      return new ConfigError(`DATA_DIR ${dir} is not a directory (${code}): set DATA_DIR to a directory, or remove the file that stands in its way`, { cause: error });
    case 'ENOSPC':
      return new ConfigError(`DATA_DIR ${dir} is on a full disk (ENOSPC): free some space; nothing stored there is lost`, { cause: error });
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return new ConfigError(
        `DATA_DIR ${dir}: rulebot.sqlite is not a readable rulebot database (${code}). To start afresh, move it aside ` +
          `(mv rulebot.sqlite rulebot.sqlite.broken, and rulebot.sqlite-wal and rulebot.sqlite-shm beside it if any): events accepted and not yet done, ` +
          'dead letters and the times of the last schedule runs are lost (a run missed meanwhile is not caught up); deliveries GitLab sends again are accepted again',
        { cause: error },
      );
    default:
      return error;
  }
}

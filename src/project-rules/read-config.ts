// Reads a configuration's files, from what is kept when it is fresh and from GitLab when not, and loads its rules.
import { GitLabApiError } from '../errors.js';
import { readRepositoryFile, type GitLabClient, type RepositoryFile } from '../gitlab/index.js';
import {
  formatLocation,
  loadCentralConfig,
  loadProjectConfig,
  MAX_RULE_FILE_BYTES,
  type FileLocation,
  type LoadedConfig,
  type PresetReader,
  type RuleSource,
} from '../rules/index.js';
import type { ConfigFileRecord } from '../store/index.js';

/** Whose configuration: a project's own file, or the central rule files (their presets). */
export type ConfigOwner = { project: { id: number; path: string }; file: string } | { central: readonly RuleSource[] };

export interface ReadDeps {
  /** Undefined: nothing is read from GitLab (no token); only kept files are used. */
  gitlab: GitLabClient | undefined;
  /** Why nothing is read from GitLab, when it is not. */
  offline?: string | undefined;
  now: number;
  /** How long a file of another project is used before it is read again. */
  ttlMs: number;
  /** Use every kept file, fresh or not, and read nothing (compiling a configuration kept in the store). */
  keptOnly?: boolean;
}

export interface ConfigReading {
  loaded: LoadedConfig;
  /** Every file the reading used, the project's own first, kept or read. */
  files: ConfigFileRecord[];
  /** GitLab reads it made. */
  reads: number;
}

/** Whether a kept file may be used without reading it again: not marked by a push, and its own project's, or read within the TTL. */
export function fileIsFresh(file: ConfigFileRecord, ownProject: string | undefined, deps: Pick<ReadDeps, 'now' | 'ttlMs'>): boolean {
  if (file.stale) return false;
  return (ownProject !== undefined && file.project === ownProject.toLowerCase()) || deps.now - file.read_at < deps.ttlMs;
}

/**
 * Reads a configuration: its files from `kept` where fresh (and with their texts), from GitLab
 * otherwise, each at most once. A file GitLab does not have, or that is larger than
 * MAX_RULE_FILE_BYTES, is a problem of the configuration; a failure a retry may cure is thrown.
 */
export async function readConfig(owner: ConfigOwner, kept: readonly ConfigFileRecord[], deps: ReadDeps, at?: { ref: string }): Promise<ConfigReading> {
  const ownProject = 'project' in owner ? owner.project.path : undefined;
  const byName = new Map(kept.filter((file) => typeof file.text === 'string').map((file) => [file.name, file]));
  const files: ConfigFileRecord[] = [];
  let reads = 0;

  /** One file, kept or read; `files` lists it either way. */
  const fetchFile = async (location: FileLocation): Promise<FileOutcome> => {
    const cached = byName.get(formatLocation(location));
    if (cached && (deps.keptOnly || fileIsFresh(cached, ownProject, deps))) {
      files.push(cached);
      return { text: cached.text! };
    }
    if (!deps.gitlab || deps.keptOnly) return { skipped: deps.offline ?? 'GitLab is not asked' };
    reads++;
    const result = await readRepositoryFile(deps.gitlab, location.project, location.path, { ref: location.ref, maxBytes: MAX_RULE_FILE_BYTES });
    const text = 'file' in result ? result.file.text : null;
    files.push(record(location, text, 'file' in result ? result.file : undefined, deps.now));
    if ('missing' in result) return { missing: result.missing };
    if ('tooLarge' in result) return { unreadable: `the file holds ${result.tooLarge}` };
    return { text: result.file.text };
  };

  const read: PresetReader = async (location) => {
    try {
      const outcome = await fetchFile(location);
      return 'missing' in outcome ? { unreadable: outcome.missing } : outcome;
    } catch (error) {
      // 403 and other answers a retry does not change make the preset unreadable; the rest is retried.
      if (error instanceof GitLabApiError && !error.retryable) return { unreadable: gitlabMessage(error) };
      throw error;
    }
  };

  if ('central' in owner) return { loaded: await loadCentralConfig(owner.central, read), files, reads };

  const location: FileLocation = { project: owner.project.path, path: owner.file, ref: at?.ref };
  const problem = (text: string): ConfigReading => ({ loaded: { rules: [], problems: [{ text, project: owner.project.path }], skipped: [], presets: [] }, files, reads });
  let root: FileOutcome;
  try {
    root = await fetchFile(location);
  } catch (error) {
    if (!(error instanceof GitLabApiError) || error.retryable) throw error;
    return problem(`${owner.file}: cannot read it (${gitlabMessage(error)}); rulebot's token needs the Reporter role or higher in ${owner.project.path}`);
  }
  // No file (GitLab answers 404 for a missing file, branch or repository alike): no rules of its own.
  if ('missing' in root || 'skipped' in root) return { loaded: { rules: [], problems: [], skipped: [], presets: [] }, files, reads };
  if ('unreadable' in root) return problem(`${owner.file}: ${root.unreadable}`);
  const loaded = await loadProjectConfig({ project: owner.project, file: { location, text: root.text }, read });
  return { loaded, files, reads };
}

type FileOutcome = { text: string } | { missing: string } | { unreadable: string } | { skipped: string };

/** GitLab's own words, without the method and path the client puts first. */
function gitlabMessage(error: GitLabApiError): string {
  return error.message.replace(/^[A-Z]+ \S+: /, '');
}

function record(location: FileLocation, text: string | null, file: RepositoryFile | undefined, now: number): ConfigFileRecord {
  return {
    name: formatLocation(location),
    project: location.project.toLowerCase(),
    path: location.path,
    ref: location.ref ?? '',
    text,
    read_at: now,
    blob_id: file?.blobId,
    commit_id: file?.lastCommitId,
    stale: false,
  };
}

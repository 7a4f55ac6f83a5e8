// `rulebot check`: validates the rule files of a directory, a project's file in GitLab, or a local file, and says what is wrong with each.
import { readFile } from 'node:fs/promises';
import { parseConfig } from '../../../config/config.js';
import { RuleConfigError } from '../../../errors.js';
import { GitLabClient } from '../../../gitlab/index.js';
import { readConfig, type ConfigReading } from '../../../project-rules/index.js';
import { formatLocation } from '../../../rules/index.js';
import type { ConfigFileRecord } from '../../../store/index.js';
import { readRuleFiles } from '../load-rules-dir.js';
import { createPooledFetch } from '../pooled-fetch.js';

export interface CheckOptions {
  /** The rules directory (when neither `file` nor `project` is given). */
  rules: string;
  /** A local file, checked as a project's own file. */
  file?: string | undefined;
  /** A project (`group/project`): its file is read from GitLab, or `file` is checked as that project's. */
  project?: string | undefined;
  /** The branch, tag or commit to read the project's file at (default: its default branch). */
  ref?: string | undefined;
  env?: Record<string, string | undefined>;
}

/**
 * Prints what is valid, or every problem (`file:line: rule "name": field: expected …, got …`) and how
 * many; returns the exit code. Presets are read with GITLAB_TOKEN when it is set, and said to be left
 * unchecked when it is not.
 */
export async function runCheck(options: CheckOptions, out: (line: string) => void): Promise<number> {
  const config = parseConfig({ ...options.env, RULES_DIR: options.rules }, { requireSecret: false });
  const pool = config.gitlabToken ? createPooledFetch() : undefined;
  const gitlab = pool && new GitLabClient({ baseUrl: config.gitlabUrl, token: config.gitlabToken, tokenType: config.tokenType, fetch: pool.fetch, timeoutMs: config.gitlabTimeoutMs, retries: config.gitlabRetries });
  const deps = { gitlab, offline: 'GITLAB_TOKEN is not set', now: Date.now(), ttlMs: 0 };
  try {
    if (options.file !== undefined || options.project !== undefined) {
      const project = { id: 0, path: options.project ?? '' };
      if (options.file !== undefined) {
        // The local file stands in for the project's own, as if just read; its presets come from GitLab.
        const location = { project: project.path, path: options.file, ref: options.ref };
        const kept = [localFile(formatLocation(location), project.path, options.file, await readFile(options.file, 'utf8'))];
        return report(options.file, await readConfig({ project, file: options.file }, kept, deps, options.ref === undefined ? undefined : { ref: options.ref }), out);
      }
      const file = config.projectConfigFile ?? '.gitlab/rulebot.yml';
      if (!gitlab) {
        out(`rulebot check --project: reading ${project.path}'s ${file} from GitLab needs GITLAB_TOKEN`);
        return 2;
      }
      const reading = await readConfig({ project, file }, [], deps, options.ref === undefined ? undefined : { ref: options.ref });
      const name = formatLocation({ project: project.path, path: file, ref: options.ref });
      if (reading.files[0]?.text === null) {
        out(`${name}: no such file (GitLab answered 404)`);
        return 1;
      }
      return report(name, reading, out);
    }
    const sources = await readRuleFiles(options.rules);
    if (sources.length === 0) {
      out(`${options.rules}: no rule files here (rulebot reads *.yml and *.yaml files); try --rules rules or --rules examples/rules`);
      return 1;
    }
    return report(options.rules, await readConfig({ central: sources }, [], deps), out, sources.length);
  } catch (error) {
    if (!(error instanceof RuleConfigError)) throw error;
    for (const issue of error.issues) out(issue);
    out(`${plural(error.issues.length, 'problem')} found`);
    return 1;
  } finally {
    await pool?.close();
  }
}

function report(name: string, { loaded }: ConfigReading, out: (line: string) => void, files?: number): number {
  for (const skipped of loaded.skipped) out(`${skipped}: not read (GITLAB_TOKEN is not set), so its rules are not checked`);
  if (loaded.problems.length > 0) {
    for (const problem of loaded.problems) out(problem.text);
    out(`${plural(loaded.problems.length, 'problem')} found`);
    return 1;
  }
  const presetNames = new Set(loaded.presets.map((preset) => formatLocation(preset)));
  const fromPresets = loaded.rules.filter((rule) => presetNames.has(rule.file)).length;
  const where = files === undefined ? '' : ` in ${plural(files, 'file')}`;
  const presets = loaded.presets.length > 0 ? ` (${fromPresets} from ${plural(loaded.presets.length, 'preset')})` : '';
  out(`${name}: ${plural(loaded.rules.length, 'rule')}${where}${presets}, all valid`);
  return 0;
}

/** A local file given in place of a project's, kept as if just read. */
function localFile(name: string, project: string, path: string, text: string): ConfigFileRecord {
  return { name, project: project.toLowerCase(), path, ref: '', text, read_at: Date.now(), blob_id: undefined, commit_id: undefined, stale: false };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

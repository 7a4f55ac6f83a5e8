// `backport: {to}`: for a merged merge request, a branch from the target, its merge commit cherry-picked, and a merge request for it.
import { z } from 'zod';
import { GitLabApiError } from '../errors.js';
import { branchHead, cherryPick, createBranch, deleteBranch, noteablePath, projectPath, type GitLabClient } from '../gitlab/index.js';
import type { Rule } from '../rules/index.js';
import type { RuleEvent, Subject } from '../event/event.js';
import type { ApiCall } from './api-call.js';

/** One `backport` call per target branch the matched rules name; merged merge requests only. */
export function planBackports(event: RuleEvent, subject: Subject, rules: readonly Rule[], warnings: string[]): ApiCall[] {
  const calls: ApiCall[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    const to = rule.then.backport?.to;
    if (to === undefined || seen.has(to)) continue;
    if (subject.type !== 'merge_request' || subject.state !== 'merged') {
      warnings.push(`rule "${rule.name}": backport: only merged merge requests can be backported`);
      continue;
    }
    seen.add(to);
    const body = { source_branch: backportBranch(subject.iid, to), target_branch: to, iid: subject.iid };
    calls.push({ kind: 'backport', method: 'POST', path: `${projectPath(event.project.id)}/merge_requests`, body, rules: [rule.name] });
  }
  return calls;
}

/** `backport-12-to-stable-17-0`: one branch per merge request and target. */
export function backportBranch(iid: number, to: string): string {
  return `backport-${iid}-to-${to.replace(/[^\w.-]+/g, '-')}`;
}

const MergedSchema = z.object({
  title: z.string(),
  web_url: z.string().default(''),
  merge_commit_sha: z.string().nullish(),
  squash_commit_sha: z.string().nullish(),
});

/** The steps of a backport, decided from what GitLab holds now: what `runBackport` makes, and `simulate` shows. */
export interface BackportSteps {
  project: string;
  iid: number;
  to: string;
  branch: string;
  sha: string;
  squashed: boolean;
  createBranch: boolean;
  pick: boolean;
  /** The new merge request's fields. */
  mergeRequest: Record<string, unknown>;
}

/**
 * Reads what a backport needs (the merged merge request, the backport branch and, when the branch
 * exists, the target) and decides its steps: the branch is created from the target unless it exists;
 * the commit is cherry-picked unless the branch has moved on from the target.
 */
export async function decideBackport(call: ApiCall, gitlab: GitLabClient): Promise<BackportSteps> {
  const projectId = /^\/projects\/([^/]+)\//.exec(call.path)?.[1] ?? '';
  const project = decodeURIComponent(projectId);
  const iid = Number(call.body['iid']);
  const to = String(call.body['target_branch']);
  const branch = String(call.body['source_branch']);
  const mrPath = noteablePath(project, 'merge_request', iid);
  const original = await gitlab.request('GET', mrPath, { schema: MergedSchema });
  const sha = original.squash_commit_sha ?? original.merge_commit_sha;
  if (!sha) {
    throw new GitLabApiError({ status: 200, method: 'GET', path: mrPath, retryable: false, message: 'the merge request has no merge or squash commit to cherry-pick (fast-forward merge)' });
  }
  const head = await branchHead(gitlab, project, branch);
  const pick = head === undefined || head === (await branchHead(gitlab, project, to));
  return {
    project, iid, to, branch, sha, squashed: Boolean(original.squash_commit_sha), createBranch: head === undefined, pick,
    mergeRequest: backportFields(to, branch, iid, original.title, original.web_url, sha),
  };
}

/** The fields of a backport's merge request. */
export function backportFields(to: string, branch: string, iid: number, title: string, webUrl: string, sha: string): Record<string, unknown> {
  return {
    source_branch: branch,
    target_branch: to,
    title: `[${to}] ${title}`,
    description: `Backport of !${iid} (${webUrl}) to \`${to}\`: cherry-picked from ${sha}.`,
    remove_source_branch: true,
  };
}

/**
 * Makes the backport, step by step, each step skipped when an earlier attempt did it (decideBackport);
 * the merge request is opened unless one is (409). A cherry-pick GitLab cannot do is answered on the
 * original merge request with the commands to do it by hand, and the branch is deleted again.
 */
export async function runBackport(call: ApiCall, gitlab: GitLabClient): Promise<'opened' | 'conflict'> {
  const steps = await decideBackport(call, gitlab);
  const { project, branch, to, sha } = steps;
  if (steps.createBranch) await createBranch(gitlab, project, branch, to);
  if (steps.pick && !(await cherryPick(gitlab, project, sha, branch))) {
    await deleteBranch(gitlab, project, branch);
    await gitlab.request('POST', `${noteablePath(project, 'merge_request', steps.iid)}/notes`, { body: { body: conflictNote(sha, to, branch, !steps.squashed) } });
    return 'conflict';
  }
  try {
    await gitlab.request('POST', `${projectPath(project)}/merge_requests`, { body: steps.mergeRequest });
  } catch (error) {
    // 409: an earlier attempt opened it already.
    if (!(error instanceof GitLabApiError && error.status === 409)) throw error;
  }
  return 'opened';
}

function conflictNote(sha: string, to: string, branch: string, mergeCommit: boolean): string {
  return [
    `The backport to \`${to}\` could not be made automatically: cherry-picking ${sha.slice(0, 12)} conflicts. To do it by hand:`,
    '',
    '```shell',
    'git fetch origin',
    `git checkout -b ${branch} origin/${to}`,
    `git cherry-pick ${mergeCommit ? '-m 1 ' : ''}${sha}`,
    '# resolve the conflicts, then: git cherry-pick --continue',
    `git push origin ${branch}`,
    '```',
  ].join('\n');
}

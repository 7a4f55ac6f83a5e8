// A merge request that changes a project's rules: its file checked at the head commit, a `rulebot/config` status, one comment kept up to date.
import { z } from 'zod';
import { GitLabApiError } from '../errors.js';
import { commitStatusRequest, noteablePath } from '../gitlab/index.js';
import { executeCalls, readFact, type ApiCall } from '../pipeline/index.js';
import { alreadyMade, effectKey, marker, sentKey } from '../pipeline/effects.js';
import type { RuleEvent } from '../event/event.js';
import type { Facts } from '../rules/index.js';
import { CONFIG_NOTE_MARKER, fixedComment, problemsComment, STATUS_NAME, statusDescription } from './config-comment.js';
import type { ObserveDeps } from './observe-deps.js';
import { readConfig } from './read-config.js';

const NoteSchema = z.object({ id: z.number(), body: z.string() });

/**
 * For a merge request into the default branch that is opened or gets new commits, and whose changes
 * touch the project's file (or a file of its own project that the file extends): reads the file at
 * the head commit with its presets, and sets the `rulebot/config` status on that commit (`success`,
 * or `failed` with the first problem). When it fails, one comment lists every problem; later pushes
 * edit that comment (to the new problems, or to say they are fixed) instead of adding another.
 * Merge request pipelines are left alone: the status names the source branch, so GitLab never adds
 * it to a merge request pipeline (refs/merge-requests/…).
 */
export async function checkMergeRequest(event: RuleEvent, deps: ObserveDeps): Promise<void> {
  const { configs, log } = deps;
  const file = configs.file;
  const subject = event.subject;
  if (!file || configs.offline || event.kind !== 'merge_request' || subject?.type !== 'merge_request' || !subject.sha) return;
  const newCommits = event.action === 'open' || event.action === 'reopen' || (event.action === 'update' && subject.oldrev !== undefined);
  if (!newCommits) return;
  // Only the default branch's file is ever in force.
  if (event.project.default_branch && subject.target_branch !== event.project.default_branch) return;

  const project = event.project.path_with_namespace;
  const kept = await configs.store.ruleConfig(event.project.id, { texts: false });
  const watched = new Set([file, ...(kept?.files ?? []).filter((kept) => kept.project === project.toLowerCase()).map((kept) => kept.path)]);
  const state: { event: RuleEvent; facts: Facts } = { event, facts: {} };
  const problem = await readFact('diffs', state, deps.facts);
  if (problem) {
    log.warn('cannot tell whether this merge request changes the rules', { problem });
    return;
  }
  if (!(state.facts.diffs?.paths ?? []).some((path) => watched.has(path))) return;

  const withTexts = await configs.store.ruleConfig(event.project.id, { texts: true });
  const reading = await readConfig(configs.projectOwner(event.project), withTexts?.files ?? [], configs.readDeps(deps.gitlab), { ref: subject.sha });
  const { problems, rules } = reading.loaded;
  const present = reading.files[0]?.text !== null && reading.files[0]?.text !== undefined;
  log.info('merge request changes the rules: checked at its head commit', { iid: subject.iid, commit: subject.sha, problems: problems.length, reads: reading.reads });

  // The status goes where the commit is: the source project (a fork) and its branch, as GitLab asks.
  const status = commitStatusRequest(subject.source_project_id ?? event.project.id, subject.sha, {
    state: problems.length === 0 ? 'success' : 'failed',
    name: STATUS_NAME,
    description: statusDescription({ file, project, problems, rules: rules.length, present }),
    ref: subject.source_branch,
    target_url: subject.url || undefined,
  });
  try {
    await executeCalls([{ kind: 'edit', method: 'POST', path: status.path, body: status.body, rules: [] }], { ...deps, effects: deps.effects && { ...deps.effects, scope: 'config-status' } });
  } catch (error) {
    if (!(error instanceof GitLabApiError) || error.retryable) throw error;
    // Statuses need the Developer role (in the fork, for a merge request from one): the comment still tells.
    log.warn('could not set the rulebot/config status', { commit: subject.sha, error: error.message });
  }

  const body = problems.length > 0 ? problemsComment({ file, sha: subject.sha, project, problems }) : fixedComment({ file, sha: subject.sha, rules: rules.length });
  await keepComment(event, body, problems.length > 0, deps);
}

/**
 * Edits the comment rulebot keeps on this merge request, or posts it when there is none and there are
 * problems to tell (a valid file needs no comment). Posted once across retries: recorded in the store,
 * and found again by its marker when an earlier attempt posted it and stopped before recording it.
 */
async function keepComment(event: RuleEvent, body: string, problems: boolean, deps: ObserveDeps): Promise<void> {
  const { configs, gitlab, log } = deps;
  const subject = event.subject!;
  const notes = `${noteablePath(event.project.id, 'merge_request', subject.iid)}/notes`;
  let noteId = await configs.store.configNote(event.project.id, subject.iid);
  if (noteId === undefined && deps.effects?.retrying) noteId = await findComment(event, notes, deps);
  if (deps.dryRun) {
    if (noteId !== undefined || problems) log.info('dry run: would call GitLab', { method: noteId === undefined ? 'POST' : 'PUT', path: noteId === undefined ? notes : `${notes}/${noteId}`, body: { body } });
    return;
  }
  const known = noteId !== undefined;
  if (noteId !== undefined) {
    try {
      await gitlab.request('PUT', `${notes}/${noteId}`, { body: { body } });
      return;
    } catch (error) {
      // Deleted by someone: a new one is posted if there is something to say.
      if (!(error instanceof GitLabApiError && error.status === 404)) throw error;
    }
  }
  if (!problems) return;
  // One comment per merge request, even when two of its events run at once (the Worker's queue
  // delivers in any order): the event that claims the first one posts it; the other edits it if it is there.
  const claim = known ? undefined : await deps.effects?.store.claim(`config-comment:${event.project.id}:${subject.iid}`, deps.effects.jobId);
  if (claim === 'taken') {
    const found = await findComment(event, notes, deps);
    if (found !== undefined) await gitlab.request('PUT', `${notes}/${found}`, { body: { body } });
    else log.info('another event of this merge request is posting its rules comment', { iid: subject.iid });
    return;
  }
  const call: ApiCall = { kind: 'note', method: 'POST', path: notes, body: { body }, rules: [] };
  const guard = deps.effects && { ...deps.effects, scope: 'config-comment' };
  if (guard && (await alreadyMade(call, 0, guard, gitlab))) {
    const found = await findComment(event, notes, deps);
    if (found !== undefined) await gitlab.request('PUT', `${notes}/${found}`, { body: { body } });
    return;
  }
  try {
    const note = await gitlab.request('POST', notes, { body: { body: guard ? `${body}\n${marker(guard, 0)}` : body }, schema: NoteSchema });
    await configs.store.setConfigNote(event.project.id, subject.iid, note.id);
    if (guard) await guard.store.recordEffect(guard.jobId, effectKey(guard, 0, call));
  } catch (error) {
    // No answer: GitLab may have made it. A retry looks for it before posting again (see pipeline/effects.ts).
    if (guard && error instanceof GitLabApiError && [0, 502, 504].includes(error.status)) await guard.store.recordEffect(guard.jobId, sentKey(effectKey(guard, 0, call)));
    throw error;
  }
}

/** The newest comment of rulebot's about the rules on this merge request, by its marker; recorded when found. */
async function findComment(event: RuleEvent, notes: string, deps: ObserveDeps): Promise<number | undefined> {
  const recent = await deps.gitlab.request('GET', notes, { query: { sort: 'desc', order_by: 'created_at', per_page: 100 }, schema: z.array(NoteSchema) });
  const found = recent.find((note) => note.body.includes(CONFIG_NOTE_MARKER))?.id;
  if (found !== undefined) await deps.configs.store.setConfigNote(event.project.id, event.subject!.iid, found);
  return found;
}

// Reads the facts rules need beyond the payload (changed files, the author, a merge request's details), once each.
import {
  countUnresolvedThreads,
  getApprovals,
  IssuableSchema,
  listMergeRequestDiffs,
  noteablePath,
  type Diff,
  type GitLabClient,
  type MemberDirectory,
  type UserDirectory,
} from '../gitlab/index.js';
import { subjectFromApi } from '../event/from-api.js';
import type { ActivitySummary, DiffSummary, Fact, Facts, SubjectDetails } from '../rules/index.js';
import { z } from 'zod';
import type { Issuable } from '../gitlab/index.js';
import type { RuleEvent } from '../event/event.js';

/** Remembers the diff summary of recent merge request versions, so several events about one version read it once. */
export class DiffCache {
  private readonly entries = new Map<string, DiffSummary>();
  constructor(private readonly capacity = 500) {}

  get(key: string): DiffSummary | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, summary: DiffSummary): void {
    this.entries.delete(key);
    this.entries.set(key, summary);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

export interface FactSources {
  gitlab: GitLabClient;
  users: UserDirectory;
  members: MemberDirectory;
  diffCache: DiffCache;
  /** Changed files given up front (`rulebot simulate --diffs`), used instead of asking GitLab. */
  diffs?: Diff[] | undefined;
  /** When set, GitLab is not asked at all and facts it would give fail, saying this reason. */
  offline?: string | undefined;
  /** The bot's username: its own notes are never activity. */
  botUsername?: string | undefined;
  /** Usernames some rule's `activity` ignores: notes are read past theirs too. */
  activityIgnore?: (() => ReadonlySet<string>) | undefined;
}

/** Summarises diffs: the paths touched and the added plus removed lines. */
export function summarizeDiffs(diffs: readonly Diff[]): DiffSummary {
  const paths = new Set<string>();
  let changedLines = 0;
  let incomplete = false;
  for (const diff of diffs) {
    if (diff.too_large || diff.collapsed) incomplete = true;
    paths.add(diff.new_path);
    if (diff.renamed_file || diff.deleted_file) paths.add(diff.old_path);
    // API diffs start at the first hunk (`@@ … @@`), without `---`/`+++` file headers.
    for (const line of diff.diff.split('\n')) if (line.startsWith('+') || line.startsWith('-')) changedLines++;
  }
  return { paths: [...paths], changedLines, incomplete };
}


/**
 * Reads one missing fact and returns the event and facts updated with it. `subject` reads the merge
 * request or issue (`GET …/merge_requests/:iid`), which also tells its author.
 */
export async function loadFact(fact: Fact, event: RuleEvent, facts: Facts, sources: FactSources): Promise<{ event: RuleEvent; facts: Facts }> {
  if (fact === 'access') {
    if (sources.offline) throw new Error(`the user's role was not looked up in GitLab: ${sources.offline}`);
    return { event, facts: { ...facts, accessLevel: await sources.members.accessLevel(sources.gitlab, event.project.id, event.user.id) } };
  }
  const subject = event.subject;
  if (!subject) return { event, facts };
  switch (fact) {
    case 'subject': {
      if (sources.offline) throw new Error(`the ${subject.type.replace('_', ' ')} was not read from GitLab: ${sources.offline}`);
      const path = noteablePath(event.project.id, subject.type, subject.iid);
      const details = await sources.gitlab.request('GET', path, { schema: IssuableSchema });
      sources.users.remember(details.author.username, details.author);
      return {
        event: { ...event, subject: subjectFromApi(details, subject.type) },
        facts: { ...facts, authorUsername: details.author.username, details: detailsFromApi(details) },
      };
    }
    case 'approvals': {
      if (subject.type !== 'merge_request') return { event, facts: { ...facts, approvals: { approved: false, usernames: [] } } };
      if (sources.offline) throw new Error(`approvals were not read from GitLab: ${sources.offline}`);
      const approvals = await getApprovals(sources.gitlab, noteablePath(event.project.id, subject.type, subject.iid));
      return { event, facts: { ...facts, approvals } };
    }
    case 'activity': {
      if (sources.offline) throw new Error(`notes were not read from GitLab: ${sources.offline}`);
      const path = `${noteablePath(event.project.id, subject.type, subject.iid)}/notes`;
      return { event, facts: { ...facts, activity: await readActivity(sources, path) } };
    }
    case 'discussions': {
      // Only merge request threads can be resolved; issue threads never count as unresolved.
      if (subject.type !== 'merge_request') return { event, facts: { ...facts, unresolvedThreads: 0 } };
      if (sources.offline) throw new Error(`threads were not read from GitLab: ${sources.offline}`);
      const unresolvedThreads = await countUnresolvedThreads(sources.gitlab, noteablePath(event.project.id, subject.type, subject.iid));
      return { event, facts: { ...facts, unresolvedThreads } };
    }
    case 'author': {
      if (subject.author_id === undefined) return { event, facts };
      if (subject.author_id === event.user.id) return { event, facts: { ...facts, authorUsername: event.user.username } };
      if (sources.offline) throw new Error(`the author was not looked up in GitLab: ${sources.offline}`);
      const author = await sources.users.findById(sources.gitlab, subject.author_id);
      return { event, facts: { ...facts, authorUsername: author.username } };
    }
    case 'diffs': {
      if (sources.diffs) return { event, facts: { ...facts, diffs: summarizeDiffs(sources.diffs) } };
      if (sources.offline) throw new Error(`changed files were not read from GitLab: ${sources.offline}`);
      const key = subject.sha ? `${event.project.id}:${subject.iid}:${subject.sha}` : undefined;
      const cached = key ? sources.diffCache.get(key) : undefined;
      if (cached) return { event, facts: { ...facts, diffs: cached } };
      const summary = summarizeDiffs(await listMergeRequestDiffs(sources.gitlab, event.project.id, subject.iid));
      if (key) sources.diffCache.set(key, summary);
      return { event, facts: { ...facts, diffs: summary } };
    }
  }
}

/** The parts of `GET …/:iid` that conditions on the object's state read. */
export function detailsFromApi(item: Issuable): SubjectDetails {
  return {
    merge_status: item.detailed_merge_status ?? undefined,
    has_conflicts: item.has_conflicts ?? undefined,
    pipeline_status: item.head_pipeline?.status ?? undefined,
    milestone: item.milestone?.title ?? undefined,
    assignees: item.assignees.flatMap((user) => (user.username ? [user.username] : [])),
    reviewers: item.reviewers.flatMap((user) => (user.username ? [user.username] : [])),
    confidential: item.confidential ?? undefined,
    issue_type: item.issue_type?.toLowerCase() ?? undefined,
  };
}

const NoteAuthorsSchema = z.array(z.object({ created_at: z.string(), author: z.object({ username: z.string() }).nullish() }));

/**
 * Notes newest first (system notes too: a person's label change or push is activity), the bot's left
 * out, down to the first one by someone no rule ignores: a page of 100 at a time, usually one.
 * https://docs.gitlab.com/api/notes/#list-all-merge-request-notes
 */
async function readActivity(sources: FactSources, path: string): Promise<ActivitySummary> {
  const bot = sources.botUsername?.toLowerCase();
  const ignored = sources.activityIgnore?.() ?? new Set<string>();
  const notes: ActivitySummary['notes'] = [];
  const listing = sources.gitlab.paginate(path, { query: { sort: 'desc', order_by: 'created_at' }, perPage: 100, schema: NoteAuthorsSchema });
  for await (const note of listing) {
    const username = note.author?.username;
    if (!username || username.toLowerCase() === bot) continue;
    notes.push({ username, at: Date.parse(note.created_at) });
    if (!ignored.has(username.toLowerCase())) return { notes, complete: false };
  }
  return { notes, complete: true };
}

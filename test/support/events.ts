// Builds webhook payloads for tests from GitLab's published examples (test/fixtures), adapted per scenario.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type FixtureName = 'merge_request' | 'issue' | 'note_merge_request' | 'note_issue' | 'push' | 'tag_push' | 'pipeline' | 'work_item' | 'emoji';

/** A fresh deep copy of one of GitLab's example payloads. */
export function fixture(name: FixtureName): Record<string, any> {
  const path = fileURLToPath(new URL(`../fixtures/${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8'));
}

export interface MergeRequestPayloadOptions {
  action?: string;
  projectId?: number;
  path?: string;
  iid?: number;
  labels?: string[];
  targetBranch?: string;
  sourceBranch?: string;
  title?: string;
  userId?: number;
  username?: string;
  authorId?: number;
  sha?: string;
  previousLabels?: string[];
}

/** GitLab's merge request example, pointed at the given project and merge request. */
export function mergeRequestPayload(options: MergeRequestPayloadOptions = {}): Record<string, any> {
  const payload = fixture('merge_request');
  const label = (title: string, id: number) => ({ ...payload['labels'][0], id, title });
  const labels = (options.labels ?? ['API']).map((title, i) => label(title, 1000 + i));
  payload['project'] = { ...payload['project'], id: options.projectId ?? 1, path_with_namespace: options.path ?? 'gitlabhq/gitlab-test' };
  payload['user'] = { ...payload['user'], id: options.userId ?? 1, username: options.username ?? 'root' };
  Object.assign(payload['object_attributes'], {
    action: options.action ?? 'open',
    iid: options.iid ?? 1,
    labels,
    target_branch: options.targetBranch ?? 'master',
    source_branch: options.sourceBranch ?? 'ms-viewport',
    title: options.title ?? 'MS-Viewport',
    author_id: options.authorId ?? options.userId ?? 1,
  });
  payload['object_attributes']['last_commit']['id'] = options.sha ?? 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7';
  payload['labels'] = labels;
  if (options.previousLabels) {
    payload['changes'] = { labels: { previous: options.previousLabels.map((t, i) => label(t, 2000 + i)), current: labels } };
  } else {
    delete payload['changes']['labels'];
  }
  return payload;
}

export interface NotePayloadOptions {
  body: string;
  noteId?: number;
  action?: 'create' | 'update';
  system?: boolean;
  userId?: number;
  username?: string;
  /** On a merge request (GitLab's note_merge_request example) or an issue (note_issue). */
  on?: 'merge_request' | 'issue';
  projectId?: number;
  path?: string;
  iid?: number;
  authorId?: number;
  labels?: string[];
  discussionId?: string;
}

/** GitLab's note example, on a merge request or an issue, with the given text and author. */
export function notePayload(options: NotePayloadOptions): Record<string, any> {
  const on = options.on ?? 'merge_request';
  const payload = fixture(on === 'merge_request' ? 'note_merge_request' : 'note_issue');
  const projectId = options.projectId ?? 5;
  payload['project'] = { ...payload['project'], id: projectId, path_with_namespace: options.path ?? 'gitlab-org/gitlab-test' };
  payload['project_id'] = projectId;
  payload['user'] = { ...payload['user'], id: options.userId ?? 1, username: options.username ?? 'root' };
  Object.assign(payload['object_attributes'], {
    id: options.noteId ?? 1244,
    note: options.body,
    action: options.action ?? 'create',
    system: options.system ?? false,
    author_id: options.userId ?? 1,
    project_id: projectId,
    ...(options.discussionId && { discussion_id: options.discussionId }),
  });
  const subject = payload[on];
  Object.assign(subject, { iid: options.iid ?? subject['iid'], author_id: options.authorId ?? subject['author_id'] });
  if (options.labels) subject['labels'] = options.labels.map((title, i) => ({ ...subject['labels'][0], id: 3000 + i, title }));
  return payload;
}

/** A comment's text without the invisible marker rulebot appends to find it again after a crash. */
export function withoutMarker(body: string): string {
  return body.replace(/\n\n<!-- rulebot:[^>]* -->$/, '');
}

/** The rule the durability tests use: every opened merge request gets a label and a comment, so a lost or doubled action shows. */
export const WELCOME_RULES = `rules:
  - name: welcome
    on: merge_request.open
    then:
      add_labels: [triaged]
      comment: "Thanks for !{{ iid }}."
`;

export interface PushPayloadOptions {
  projectId: number;
  path: string;
  defaultBranch?: string;
  /** The branch pushed to (default: the default branch). */
  branch?: string;
  /** The commits pushed, oldest first, as the fake GitLab made them (`commitFiles`). */
  commits: { id: string; added: string[]; modified: string[]; removed: string[] }[];
  /** GitLab's count of every commit pushed; it details at most 20 (default: those given). */
  totalCommits?: number;
  userId?: number;
  username?: string;
}

/** GitLab's push example, for commits made in the fake GitLab: what each added, modified and removed. */
export function pushPayload(options: PushPayloadOptions): Record<string, any> {
  const payload = fixture('push');
  const defaultBranch = options.defaultBranch ?? 'main';
  const last = options.commits.at(-1);
  payload['project'] = { ...payload['project'], id: options.projectId, path_with_namespace: options.path, default_branch: defaultBranch };
  payload['project_id'] = options.projectId;
  Object.assign(payload, {
    ref: `refs/heads/${options.branch ?? defaultBranch}`,
    before: '0'.repeat(40),
    after: last?.id ?? '0'.repeat(40),
    checkout_sha: last?.id ?? null,
    user_id: options.userId ?? 1,
    user_username: options.username ?? 'root',
    total_commits_count: options.totalCommits ?? options.commits.length,
    commits: options.commits.slice(-20).map((commit, i) => ({
      ...payload['commits'][0],
      id: commit.id,
      message: `commit ${i + 1}`,
      title: `commit ${i + 1}`,
      added: commit.added,
      modified: commit.modified,
      removed: commit.removed,
    })),
  });
  return payload;
}

// The one internal event shape rules see, whatever GitLab payload it came from.

export type SubjectType = 'merge_request' | 'issue';

/** The merge request or issue an event concerns. */
export interface Subject {
  type: SubjectType;
  /** For issues: `issue`, or the work item type GitLab names (`task`, `incident`, `epic`, …), lower case; undefined when unknown. */
  issue_type?: string | undefined;
  iid: number;
  /** Issues: whether only members with enough access see it; undefined when the payload does not say. */
  confidential?: boolean | undefined;
  /** The milestone's id; null when there is none, undefined when the payload does not say. */
  milestone_id?: number | null | undefined;
  title: string;
  description: string;
  state: string;
  /**
   * False when the payload names the object without describing it (pipeline events): labels, author,
   * assignees and description are then unknown until the object is read from GitLab.
   */
  complete: boolean;
  /** Label titles after the event. */
  labels: string[];
  author_id: number | undefined;
  assignee_ids: number[];
  reviewer_ids: number[];
  /**
   * Whether the payload listed the assignees (and, for merge requests, the reviewers). Note payloads
   * do not; since GitLab replaces these lists whole, they are read before anyone is added.
   */
  people_known: boolean;
  url: string;
  source_branch?: string;
  target_branch?: string;
  /** Where the source branch lives; another project for merge requests from forks. */
  source_project_id?: number | undefined;
  draft?: boolean;
  /** Head commit of the merge request, naming the version whose diffs rules look at. */
  sha?: string;
  /** The head before this event, when the event brought new commits (merge request events only). */
  oldrev?: string | undefined;
  created_at?: Date | undefined;
  updated_at?: Date | undefined;
  merged_at?: Date | undefined;
}

export interface Actor {
  id: number;
  username: string;
  name?: string | undefined;
}

export type ArgumentKind = 'label' | 'user' | 'word';

export interface CommandArgument {
  /** The value without its sigil or quotes: `needs review` for `~"needs review"`, `alice` for `@alice`. */
  value: string;
  kind: ArgumentKind;
  /** As written, for messages: `~"needs review"`. */
  raw: string;
}

/** A chat-ops command found in a note: `@bot label ~bug`. */
export interface Command {
  name: string;
  args: CommandArgument[];
  /** The command line as written. */
  line: string;
  /** The note that carries the command (for reactions and replies). */
  note_id: number;
  /** The note's discussion, when the payload names it, so replies join that thread. */
  discussion_id: string | undefined;
}

export interface RuleEvent {
  /** Names this event answers to in rule files, most general first: `["merge_request", "merge_request.open"]`. */
  names: string[];
  kind: 'merge_request' | 'issue' | 'note' | 'push' | 'pipeline' | 'command' | 'schedule' | 'emoji' | 'access_token';
  action: string | undefined;
  project: { id: number; path_with_namespace: string; web_url: string; default_branch?: string | undefined };
  /** Who caused the event; id 0 and an empty username when the payload does not say. */
  user: Actor;
  subject: Subject | undefined;
  /** Label changes this event made (`changes.labels`), when it made any. */
  labels_changed: { added: string[]; removed: string[] } | undefined;
  note?: {
    id: number;
    body: string;
    system: boolean;
    url: string | undefined;
    discussion_id: string | undefined;
    /** An internal note (or one on a confidential issue): visible to project members only. */
    internal?: boolean;
  };
  command?: Command;
  push?: {
    ref: string;
    before: string;
    after: string;
    total_commits_count: number | undefined;
    /** Paths the listed commits added, modified or removed. */
    changed_paths: string[];
    /** Commits the payload details (GitLab lists at most 20; `total_commits_count` is the real count). */
    commits_listed: number;
  };
  pipeline?: { id: number; ref: string; status: string; source: string | undefined; url: string | undefined };
  /** Emoji events: the emoji awarded or revoked, and on what (the merge request or issue, or a note on it). */
  emoji?: { name: string; action: 'award' | 'revoke'; on: 'merge_request' | 'issue' | 'note'; note_id: number | undefined };
  /**
   * A project or group access token about to expire (`Resource Access Token Hook`): rules do not see
   * these events; rulebot rotates its own token when it is the one named.
   */
  access_token?: { id: number; name: string; expires_at: string | undefined };
}

// Quick actions in note bodies (`/close`, `/label ~bug`), which GitLab runs with the note author's rights.
// https://docs.gitlab.com/user/project/quick_actions/ — extraction follows lib/gitlab/quick_actions/extractor.rb.

import type { Issuable, IssuableChange } from './issuable-change.js';
import type { FakeUser } from './types.js';

export interface QuickAction {
  /** Lower-case command name, e.g. `label`. */
  name: string;
  argument: string;
}

/** What a set of quick actions does to its target, and GitLab's message about it. */
export interface QuickActionPlan {
  change: IssuableChange;
  /** One element: the messages of the executed commands joined by spaces, as GitLab's `summary`. */
  summary: string[];
  /** How many commands applied; GitLab changes nothing when none did. */
  executed: number;
}

export interface QuickActionContext {
  /** The note author, who `me` refers to. */
  author: FakeUser;
  user(id: number): FakeUser | undefined;
  userByUsername(username: string): FakeUser | undefined;
}

const COMMANDS = new Set([
  'close',
  'reopen',
  'label',
  'labels',
  'unlabel',
  'remove_label',
  'relabel',
  'assign',
  'unassign',
]);

// `/` must be the first character; the command ends at a space (arguments follow) or the line end.
const COMMAND_LINE = /^\/([a-z_]+)(?: (.*)|\s*)$/i;

/**
 * Split a note body into the text that stays and the quick actions it holds. Only known commands
 * count (`/foo` stays text); lines inside a closed ``` fence are never commands. Command lines are
 * removed and trailing whitespace trimmed, as GitLab does.
 */
export function extractQuickActions(body: string): { text: string; actions: QuickAction[] } {
  const lines = body.replaceAll('\r', '').split('\n');
  const kept: string[] = [];
  const actions: QuickAction[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const fenceEnd = line.startsWith('```') ? lines.indexOf('```', index + 1) : -1;
    if (fenceEnd !== -1) {
      kept.push(...lines.slice(index, fenceEnd + 1));
      index = fenceEnd;
      continue;
    }
    const match = COMMAND_LINE.exec(line);
    const name = match?.[1]?.toLowerCase();
    if (name !== undefined && COMMANDS.has(name)) {
      actions.push({ name, argument: (match?.[2] ?? '').trim() });
    } else {
      kept.push(line);
    }
  }
  return { text: kept.join('\n').trimEnd(), actions };
}

/**
 * Work out what `actions` do to `target`. A command that does not apply (closing something already
 * closed, assigning nobody) is skipped, as GitLab skips unavailable commands.
 */
export function planQuickActions(
  actions: QuickAction[],
  target: Issuable,
  context: QuickActionContext,
): QuickActionPlan {
  const change: IssuableChange = {};
  const messages = actions.flatMap((action) => planQuickAction(action, target, change, context) ?? []);
  return { change, summary: [messages.join(' ') || 'Failed to apply commands.'], executed: messages.length };
}

/** Add one command's effect to `change`; returns GitLab's message, or nothing if it does not apply. */
function planQuickAction(
  { name, argument }: QuickAction,
  target: Issuable,
  change: IssuableChange,
  context: QuickActionContext,
): string | undefined {
  const kind = 'reviewer_ids' in target ? 'merge request' : 'issue';
  const labels = parseLabelNames(argument);
  const assignees = change.assignee_ids ?? target.assignee_ids;

  switch (name) {
    case 'close':
      if (target.state === 'closed' || target.state === 'merged') return undefined;
      change.state_event = 'close';
      return `Closed this ${kind}.`;
    case 'reopen':
      if (target.state !== 'closed') return undefined;
      change.state_event = 'reopen';
      return `Reopened this ${kind}.`;
    case 'label':
    case 'labels':
      if (labels.length === 0) return undefined;
      change.add_labels = [...(change.add_labels ?? []), ...labels];
      return `Added ${labelReferences(labels)}.`;
    case 'unlabel':
    case 'remove_label':
      if (target.labels.length === 0) return undefined;
      if (labels.length === 0) {
        change.labels = [];
        return 'Removed all labels.';
      }
      change.remove_labels = [...(change.remove_labels ?? []), ...labels];
      return `Removed ${labelReferences(labels)}.`;
    case 'relabel':
      if (labels.length === 0) return undefined;
      change.labels = labels;
      return `Replaced all labels with ${labelReferences(labels)}.`;
    case 'assign': {
      const users = parseUsers(argument, context);
      if (users.length === 0) return undefined;
      change.assignee_ids = [...new Set([...assignees, ...users.map((user) => user.id)])];
      return `Assigned ${userReferences(users)}.`;
    }
    case 'unassign': {
      const named = argument === '' ? undefined : parseUsers(argument, context).map((user) => user.id);
      const removed = assignees.filter((id) => named === undefined || named.includes(id));
      if (removed.length === 0) return undefined;
      change.assignee_ids = assignees.filter((id) => !removed.includes(id));
      const users = removed.flatMap((id) => context.user(id) ?? []);
      return `Removed ${plural('assignee', removed.length)} ${userReferences(users)}.`;
    }
    default:
      return undefined;
  }
}

/** `~bug ~"needs review" docs` → `['bug', 'needs review', 'docs']`. */
function parseLabelNames(argument: string): string[] {
  return [...argument.matchAll(/~?"([^"]+)"|~?([^\s"~]+)/g)].map((match) => (match[1] ?? match[2] ?? '').trim());
}

/** `@alice, @bob me` → the known users among them; `me` is the note author. */
function parseUsers(argument: string, context: QuickActionContext): FakeUser[] {
  return argument
    .split(/[\s,]+/)
    .filter(Boolean)
    .flatMap((word) => {
      const user = word === 'me' ? context.author : context.userByUsername(word.replace(/^@/, ''));
      return user ? [user] : [];
    });
}

/** `~"bug" label`, `~"bug" ~"docs" labels`. */
function labelReferences(labels: string[]): string {
  return `${labels.map((label) => `~"${label}"`).join(' ')} ${plural('label', labels.length)}`;
}

function userReferences(users: FakeUser[]): string {
  return users.map((user) => `@${user.username}`).join(', ');
}

function plural(word: string, count: number): string {
  return count === 1 ? word : `${word}s`;
}

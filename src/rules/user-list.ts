// The users an action names (`assign`, `request_review`, …): usernames, the command's arguments, `@me` and two templates.
import type { RuleEvent } from '../event/event.js';

/** In a list of users: the arguments of the command being run (as in lists of labels). */
const ARGS = '{{ args }}';
/** In a list of users: who caused the event, the commenter for commands. `@me` in a rule file reads as this. */
export const USER_PLACEHOLDER = '{{ user.username }}';
/** In a list of users: the author of the merge request or issue (read from GitLab when the payload does not name it). */
export const AUTHOR_PLACEHOLDER = '{{ author.username }}';

const TEMPLATES: Readonly<Record<string, string>> = { args: ARGS, 'user.username': USER_PLACEHOLDER, 'author.username': AUTHOR_PLACEHOLDER };

/**
 * Reads one item of a rule file's list of users: a username (a leading `@` dropped), `@me` (who
 * caused the event, as in GitLab's own `@me`), or one of `{{ args }}`, `{{ user.username }}` and
 * `{{ author.username }}`. Any other template cannot name a user and is refused when rules load.
 */
export function readUserItem(item: string): { value: string } | { error: string } {
  const template = /^\{\{\s*([^{}]*?)\s*\}\}$/.exec(item.trim());
  const known = template ? TEMPLATES[template[1]!] : undefined;
  if (known) return { value: known };
  if (template || item.includes('{{') || item.includes('}}')) {
    return { error: `expected a username, "@me", "${USER_PLACEHOLDER}", "${AUTHOR_PLACEHOLDER}" or "${ARGS}", got "${item}"` };
  }
  if (item.toLowerCase() === '@me') return { value: USER_PLACEHOLDER };
  return { value: item.replace(/^@/, '') };
}

export interface ResolvedUsers {
  /** The usernames to look up, in order, each once. */
  usernames: string[];
  /** What the list named that this event cannot tell, in words (`the author of this merge request`). */
  unknown: string[];
}

/**
 * The usernames a list names for this event: the command's arguments in place of `{{ args }}` (an
 * `@me` among them is the commenter, GitLab's meaning), the event's user and the author in place of
 * their templates. Arguments with commas are left out: GitLab would read them as two names.
 */
export function resolveUsernames(list: readonly string[] | undefined, event: RuleEvent, authorUsername: string | undefined): ResolvedUsers {
  const usernames = new Map<string, string>();
  const unknown: string[] = [];
  const add = (name: string) => usernames.set(name.toLowerCase(), usernames.get(name.toLowerCase()) ?? name);
  const self = (name: string | undefined) => (name ? add(name) : unknown.push('you (GitLab did not name the user who caused this event)'));
  for (const item of list ?? []) {
    if (item === USER_PLACEHOLDER) self(event.user.username);
    else if (item === AUTHOR_PLACEHOLDER) {
      if (authorUsername) add(authorUsername);
      else unknown.push(`the author of this ${event.subject?.type === 'issue' ? 'issue' : 'merge request'}`);
    } else if (item === ARGS) {
      for (const arg of event.command?.args ?? []) {
        if (arg.value.includes(',')) continue;
        if (arg.kind === 'user' && arg.value.toLowerCase() === 'me') self(event.user.username);
        else add(arg.value);
      }
    } else add(item);
  }
  return { usernames: [...usernames.values()], unknown };
}

/** Whether a list of users needs the author's username. */
export function namesAuthor(list: readonly string[] | undefined): boolean {
  return list?.includes(AUTHOR_PLACEHOLDER) ?? false;
}

import { describe, expect, it } from 'vitest';
import { RuleConfigError } from '../errors.js';
import type { RuleEvent } from '../event/event.js';
import { loadRules } from './load.js';
import { AUTHOR_PLACEHOLDER, readUserItem, resolveUsernames, USER_PLACEHOLDER } from './user-list.js';

function load(assign: string): string[] | string[][] {
  try {
    const set = loadRules([{ path: 'rules/x.yml', text: `rules:\n  - name: a\n    on: command.a\n    then:\n      assign: ${assign}\n` }]);
    return [set.rules[0]!.then.assign!];
  } catch (error) {
    if (error instanceof RuleConfigError) return [...error.issues];
    throw error;
  }
}

const event = (args: { value: string; kind: 'user' | 'word' | 'label' }[], username = 'maint'): RuleEvent => ({
  names: ['command', 'command.a'], kind: 'command', action: undefined,
  project: { id: 1, path_with_namespace: 'g/p', web_url: '' },
  user: { id: 40, username }, subject: undefined, labels_changed: undefined,
  command: { name: 'a', args: args.map((arg) => ({ ...arg, raw: arg.value })), line: '', note_id: 1, discussion_id: undefined },
});

describe('user lists of actions', () => {
  it('reads usernames, @me and the three templates, spaced as written', () => {
    expect(load('["@alice", "@me", "{{user.username}}", "{{ author.username }}", "{{ args }}"]')).toEqual([
      ['alice', USER_PLACEHOLDER, USER_PLACEHOLDER, AUTHOR_PLACEHOLDER, '{{ args }}'],
    ]);
  });

  it('refuses any other template when rules load, naming what it may be', () => {
    expect(load('["{{ title }}"]')).toEqual([
      ('rules/x.yml:5: rule "a": then.assign[0]: expected a username, "@me", "{{ user.username }}", "{{ author.username }}" or "{{ args }}", got "{{ title }}"'),
    ]);
    expect(readUserItem('x{{ user.username }}')).toHaveProperty('error');
  });

  it('resolves @me in the arguments to the commenter, once, and leaves out names with commas', () => {
    const list = ['{{ args }}', USER_PLACEHOLDER];
    expect(resolveUsernames(list, event([{ value: 'me', kind: 'user' }, { value: 'alice', kind: 'user' }, { value: 'a,b', kind: 'word' }]), undefined)).toEqual({
      usernames: ['maint', 'alice'],
      unknown: [],
    });
  });

  it('says what it cannot tell: the author not read, a payload without the user', () => {
    expect(resolveUsernames([AUTHOR_PLACEHOLDER, USER_PLACEHOLDER], event([], ''), undefined).unknown).toEqual([
      'the author of this merge request',
      'you (GitLab did not name the user who caused this event)',
    ]);
    expect(resolveUsernames([AUTHOR_PLACEHOLDER], event([]), 'author8').usernames).toEqual(['author8']);
  });
});

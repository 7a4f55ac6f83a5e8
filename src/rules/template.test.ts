import { describe, expect, it } from 'vitest';
import { mergeRequestPayload } from '../../test/support/events.js';
import { normalizeEvent } from '../event/from-webhook.js';
import type { RuleEvent } from '../event/event.js';
import { compileTemplate, renderTemplate, type Template } from './template.js';

function template(source: string): Template {
  const compiled = compileTemplate(source);
  if ('error' in compiled) throw new Error(compiled.error);
  return compiled;
}

function event(options: Parameters<typeof mergeRequestPayload>[0]): RuleEvent {
  const result = normalizeEvent(mergeRequestPayload(options));
  if (!('event' in result)) throw new Error(JSON.stringify(result));
  return result.event;
}

describe('templates', () => {
  it('fills the documented variables', () => {
    const text = renderTemplate(template('@{{ user.username }}: !{{ iid }} {{title}} into {{ target_branch }} ({{ project.path_with_namespace }})'), {
      event: event({ username: 'alice', iid: 7, title: 'Fix it', targetBranch: 'release/1' }),
    });
    expect(text).toBe('@alice: !7 Fix it into release/1 (gitlabhq/gitlab-test)');
  });

  it('never lets a value start a line with a quick action', () => {
    const hostile = event({ title: '/close', targetBranch: 'x' });
    expect(renderTemplate(template('{{ title }}'), { event: hostile })).toBe('\\/close');
    expect(renderTemplate(template('Title:\n  {{ title }}'), { event: hostile })).toBe('Title:\n  \\/close');
    // Mid-line a slash is harmless and left alone.
    expect(renderTemplate(template('Title: {{ title }}'), { event: hostile })).toBe('Title: /close');
  });

  it('keeps values on one line so they cannot open a new one', () => {
    const hostile = event({ title: 'Fix\n/label ~security\r\n/close' });
    const text = renderTemplate(template('Thanks for "{{ title }}"'), { event: hostile });
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toBe('Thanks for "Fix /label ~security /close"');
  });

  it('keeps a value from mentioning people', () => {
    const text = renderTemplate(template('{{ title }}'), { event: event({ title: 'ping @all and @alice' }) });
    expect(text).toBe('ping @\u200ball and @\u200balice');
  });

  it('refuses unknown variables and stray braces', () => {
    expect(compileTemplate('{{ nope }}')).toEqual({ error: expect.stringContaining('unknown template variable "{{ nope }}"') });
    expect(compileTemplate('a }} b')).toEqual({ error: 'unbalanced "{{" or "}}" in template' });
  });
});

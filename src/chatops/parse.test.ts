import { describe, expect, it } from 'vitest';
import { parseCommands, splitArguments } from './parse.js';

const names = (body: string) => parseCommands(body, 'rulebot').map((c) => [c.name, c.args.map((a) => a.value)]);

describe('parseCommands', () => {
  it('reads command lines addressed to the bot, in order', () => {
    expect(names('Thanks!\n@rulebot label ~bug ~"priority::high"\n@RuleBot ready')).toEqual([
      ['label', ['bug', 'priority::high']],
      ['ready', []],
    ]);
  });

  it('ignores mentions of other users and of the bot mid-line', () => {
    expect(names('@rulebot2 label ~bug\n@rulebot.x label ~bug\nplease @rulebot label ~bug')).toEqual([]);
  });

  it('ignores commands in fenced code blocks, block quotes, quotes and inline code', () => {
    const body = [
      '```',
      '@rulebot label ~bug',
      '```',
      '~~~~',
      '@rulebot label ~a',
      '~~~',
      '@rulebot label ~still-fenced',
      '~~~~',
      '>>>',
      '@rulebot label ~quoted',
      '>>>',
      '> @rulebot label ~quoted',
      '`@rulebot label ~inline`',
      '    @rulebot label ~indented-code',
      '   @rulebot close',
    ].join('\n');
    expect(names(body)).toEqual([['close', []]]);
  });

  it('keeps the line as written for replies', () => {
    expect(parseCommands('  @rulebot label ~bug  ', 'rulebot')[0]?.line).toBe('@rulebot label ~bug');
  });
});

describe('splitArguments', () => {
  it('splits labels, scoped and quoted labels, users and words', () => {
    expect(splitArguments(' ~bug ~"needs review" ~scope::value @alice "two words" plain')).toEqual([
      { value: 'bug', kind: 'label', raw: '~bug' },
      { value: 'needs review', kind: 'label', raw: '~"needs review"' },
      { value: 'scope::value', kind: 'label', raw: '~scope::value' },
      { value: 'alice', kind: 'user', raw: '@alice' },
      { value: 'two words', kind: 'word', raw: '"two words"' },
      { value: 'plain', kind: 'word', raw: 'plain' },
    ]);
  });
});

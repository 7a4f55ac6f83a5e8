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

  it('ignores commands inside HTML comments, on one line, over several, or opened mid-line', () => {
    expect(names('<!-- @rulebot label ~bug -->')).toEqual([]);
    expect(names('<!--\n@rulebot label ~bug\n-->\n@rulebot ready')).toEqual([['ready', []]]);
    expect(names('Thanks! <!-- notes to self:\n@rulebot label ~bug\n-->\n@rulebot ready')).toEqual([['ready', []]]);
    expect(names('<!--\n\n@rulebot label ~bug\n\n-->\n\n@rulebot ready')).toEqual([['ready', []]]);
    expect(names('<!-- hidden --> <!-- also hidden -->\n@rulebot ready')).toEqual([['ready', []]]);
    // `<!-->` and `<!--->` are whole (empty) comments.
    expect(names('<!-->\n@rulebot ready\n<!--->\n@rulebot close')).toEqual([['ready', []], ['close', []]]);
  });

  it('reads a command line without its hidden parts', () => {
    const [command] = parseCommands('@rulebot label ~bug <!-- ~security --> ~"needs review" <!--\n~critical -->', 'rulebot');
    expect(command?.args.map((arg) => arg.value)).toEqual(['bug', 'needs review']);
    expect(command?.line).toBe('@rulebot label ~bug  ~"needs review"');
  });

  it('takes everything after a comment that is never closed, or whose end may not be read as one, as hidden', () => {
    expect(names('<!--\n@rulebot label ~bug')).toEqual([]);
    // A quote or an HTML block ends at the blank line, the comment in it does not: GitLab shows `-->` as text.
    expect(names('> <!--\n\n-->\n@rulebot label ~bug')).toEqual([]);
    expect(names('<div>\n<!--\n\n-->\n@rulebot label ~bug')).toEqual([]);
    expect(names('<!-- a --> <!--\n@rulebot label ~bug -->\n@rulebot ready')).toEqual([]);
    // Opened in text and not closed in its paragraph, `<!--` is text itself.
    expect(names('- item <!--\n\n-->\n@rulebot label ~bug')).toEqual([['label', ['bug']]]);
  });

  it('ignores commands inside script and style elements, tags and other markup GitLab does not show', () => {
    expect(names('<script>\n@rulebot label ~bug\n</script>\n@rulebot ready')).toEqual([['ready', []]]);
    expect(names('<style>\n@rulebot close\n</style>')).toEqual([]);
    expect(names('Look: <script>\n\n@rulebot close\n\n</script>\n\n@rulebot ready')).toEqual([]);
    expect(names('<img alt="\n@rulebot label ~bug\n" src="x.png">\n@rulebot ready')).toEqual([['ready', []]]);
    expect(names('Text <span title="a\n@rulebot close\nb">x</span>\n@rulebot ready')).toEqual([['ready', []]]);
    expect(names('<?php\n@rulebot close\n?>\n\n<![CDATA[\n@rulebot close\n]]>\n\n@rulebot ready')).toEqual([['ready', []]]);
  });

  it('runs commands in markup GitLab renders, such as <details>', () => {
    expect(names('<details><summary>More</summary>\n\n@rulebot label ~bug\n\n</details>')).toEqual([['label', ['bug']]]);
    expect(names('<details>\n@rulebot ready\n</details>')).toEqual([['ready', []]]);
  });

  it('reads comment and tag markers shown as text or code as text', () => {
    expect(names('>>>\nQuoted: use <!-- to start a comment\n>>>\n@rulebot ready')).toEqual([['ready', []]]);
    expect(names('Write `<!--` to start a comment.\n@rulebot ready')).toEqual([['ready', []]]);
    expect(names('Write \\<!-- to start one, and <!-- without an end.\n@rulebot ready')).toEqual([['ready', []]]);
    expect(names('```html\n<!--\n<script>\n```\n@rulebot ready')).toEqual([['ready', []]]);
    expect(names('if a < b and a<b then\n@rulebot ready')).toEqual([['ready', []]]);
    expect(names('See <https://example.com/a?b=1>.\n@rulebot ready')).toEqual([['ready', []]]);
  });

  it('is not misled by what would look like code to a line-by-line reader', () => {
    // An autolink ends before the backtick after it, which opens no code span around `<!--`.
    expect(names('<https://example.com/`> <!-- `\n@rulebot label ~bug\n-->')).toEqual([]);
    // A code span may run over lines: the backticks on the second line close the first line's.
    expect(names('a ` b\nc ` <!-- `\n@rulebot label ~bug\n-->')).toEqual([]);
    // Inside an HTML block there are no code spans and no fences.
    expect(names('<div>\n`<!--`\n@rulebot label ~bug\n-->\n</div>')).toEqual([]);
    expect(names('<div>\n```\n</div>\n<!--\n```\n@rulebot label ~bug\n-->')).toEqual([]);
  });

  it('reads a megabyte of unclosed markup in one pass', () => {
    expect(names(`${'x <!-- '.repeat(150_000)}\n\n@rulebot ready`)).toEqual([['ready', []]]);
    expect(names(`${'<a b="x" '.repeat(100_000)}\n\n@rulebot ready`)).toEqual([]);
    expect(names(`${'a `` <b c="'.repeat(100_000)}\n\n@rulebot ready`)).toEqual([['ready', []]]);
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

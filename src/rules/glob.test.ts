import picomatch from 'picomatch/posix.js';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { simpleGlobTest } from './glob-simple.js';
import { compileGlob, translateGlob } from './glob.js';

function matcher(glob: string) {
  const compiled = compileGlob(glob);
  if ('error' in compiled) throw new Error(compiled.error);
  return compiled.test;
}

const matching = (glob: string, texts: string[]) => texts.filter(matcher(glob));

describe('compileGlob', () => {
  it('keeps `*` within a segment and lets `**` span any number of them', () => {
    expect(matching('release/*', ['release/1.2', 'release/1.2/fix', 'release/', 'release'])).toEqual(['release/1.2']);
    expect(matching('docs/**', ['docs', 'docs/a.md', 'docs/a/b.md', 'docsy/a.md'])).toEqual(['docs', 'docs/a.md', 'docs/a/b.md']);
    expect(matching('**/*.md', ['README.md', 'docs/a/b.md', 'README.mdx'])).toEqual(['README.md', 'docs/a/b.md']);
    expect(matching('a/**/c', ['a/c', 'a/b/c', 'a/b/b/c', 'a/bc'])).toEqual(['a/c', 'a/b/c', 'a/b/b/c']);
    expect(matching('**', ['a', 'a/b', '.env'])).toEqual(['a', 'a/b', '.env']);
  });

  it('matches dotfiles like any other file, and takes ?, classes, braces, ranges, escapes and negation', () => {
    expect(matching('**/*.yml', ['.gitlab-ci.yml', '.gitlab/ci/a.yml'])).toEqual(['.gitlab-ci.yml', '.gitlab/ci/a.yml']);
    expect(matching('?.md', ['a.md', 'ab.md', '/.md'])).toEqual(['a.md']);
    expect(matching('[!a]*.md', ['a.md', 'b.md', 'README.md'])).toEqual(['b.md', 'README.md']);
    expect(matching('release/[0-9]*', ['release/1.2', 'release/next'])).toEqual(['release/1.2']);
    expect(matching('[[:upper:]]*', ['README', 'readme'])).toEqual(['README']);
    expect(matching('src/{api,web/{a,b}}/*.ts', ['src/api/x.ts', 'src/web/b/x.ts', 'src/web/x.ts'])).toEqual(['src/api/x.ts', 'src/web/b/x.ts']);
    expect(matching('v{1..3}.x', ['v1.x', 'v3.x', 'v4.x'])).toEqual(['v1.x', 'v3.x']);
    expect(matching('{a}', ['a', '{a}'])).toEqual(['{a}']);
    expect(matching('a\\*b', ['a*b', 'axb'])).toEqual(['a*b']);
    expect(matching('!docs/**', ['docs/a.md', 'src/a.ts'])).toEqual(['src/a.ts']);
    expect(matching('./docs/*', ['docs/a.md'])).toEqual(['docs/a.md']);
  });

  it('matches what the picomatch globs of earlier versions matched on real paths and branches', () => {
    const globs = ['docs/**', '**/*.md', 'release/*', 'release/**', 'hotfix-*', '*.{js,ts}', '{a,b}/**/*.md', 'src/**/test/*.ts', '.gitlab/**', 'acme/*', 'v{1..3}.x'];
    const texts = ['docs', 'docs/index.md', 'docs/a/b.md', 'README.md', 'src/a.ts', 'src/lib/test/a.ts', 'src/test/a.ts', '.gitlab-ci.yml', '.gitlab/ci/a.yml',
      'release/1.2', 'release/1.2/fix', 'hotfix-1', 'master', 'acme/widgets', 'acme/backend/api', 'a.js', 'b/c/d.md', 'v1.x', 'v4.x'];
    for (const glob of globs) {
      const before = picomatch(glob, { dot: true });
      expect(matching(glob, texts), glob).toEqual(texts.filter((text) => before(text)));
    }
  });

  it('runs globs with many stars in time linear in the text', () => {
    // picomatch's backtracking regular expression took over 100 ms on 40 characters here, and grew as n^7.
    const test = matcher('*a*a*a*a*a*a*a*b');
    expect(test('a'.repeat(50_000))).toBe(false);
    expect(test(`${'a'.repeat(50_000)}b`)).toBe(true);
  });

  it('refuses extglobs and braces that expand too far, saying where and why', () => {
    const error = (glob: string) => {
      const compiled = compileGlob(glob);
      return 'error' in compiled ? compiled.error : 'compiled';
    };
    expect(error('docs/@(a|b).md')).toBe(
      'invalid glob "docs/@(a|b).md": expected *, **, ?, [...] or {a,b}, got the extglob "@(" at offset 5 (write alternatives as {a,b})',
    );
    expect(error('!(docs)/**')).toContain('got the extglob "!(" at offset 0');
    expect(error('{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}')).toBe(
      'invalid glob "{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}{q,r}": expected braces that expand to at most 256 globs, got more',
    );
    expect(error('[z-a]*')).toBe('invalid glob "[z-a]*": invalid character class range "z-a"');
  });
});

describe('simpleGlobTest', () => {
  it('agrees with the RE2 translation of the same glob, odd texts included', () => {
    const globs = ['master', 'release/*', 'docs/**', '**/*.md', '**/test/**', '**', '*', 'src/*/index.ts', 'a*b*c/**', '**/.gitlab-ci.yml', 'feature/api-*', '*.md', 'a/**/**'];
    const texts = ['', '/', '//', 'a/', '/a', 'master', 'release/', 'release/1.2', 'release/1.2/fix', 'docs', 'docs/', 'docs/a.md', 'x/docs/a.md', 'README.md', '.md',
      'test', 'a/test', 'test/b', 'a/test/b', 'testing/b', 'src/a/index.ts', 'src/index.ts', 'abc', 'axbyc/d', 'abc/', '.gitlab-ci.yml', 'x/.gitlab-ci.yml',
      'feature/api-', 'feature/api-x', 'a', 'a/b', 'line\nbreak.md'];
    for (const glob of globs) {
      const simple = simpleGlobTest(glob);
      if (!simple) throw new Error(`expected "${glob}" to be simple`);
      const regex = RE2JS.compile(`^(?:${translateGlob(glob)})$`, RE2JS.DOTALL);
      expect(texts.filter(simple), glob).toEqual(texts.filter((text) => regex.test(text)));
    }
  });

  it('leaves ?, classes, escapes and ** between segments to RE2', () => {
    expect(['a?c', '[ab]c', 'a\\*b', 'a/**/b'].map((glob) => simpleGlobTest(glob))).toEqual([undefined, undefined, undefined, undefined]);
  });
});

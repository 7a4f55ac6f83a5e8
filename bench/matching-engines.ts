// Rule matching by engine: re2js, which rulebot runs, against JavaScript's RegExp and picomatch, on the same patterns in one run.
import picomatch from 'picomatch/posix.js';
import { RE2JS } from 're2js';
import { compileGlob } from '../src/rules/glob.js';
import { compileRegex, MAX_MATCHED_LENGTH, MAX_PROGRAM_SIZE } from '../src/rules/regex.js';
import type { GeneratedFile } from './generate-rules.js';
import { mulberry32 } from './random.js';
import { timeCalls, type Timing } from './timing.js';

type Test = (text: string) => boolean;

export interface EngineRow {
  /** What is matched, and with which engines: `matches, re2js vs RegExp: fixtures' titles and descriptions`. */
  name: string;
  /** Pattern × text pairs per timed call. */
  pairs: number;
  /** How many pairs matched, per engine: the engines must agree. */
  matched: { linear: number; backtracking: number };
  /** re2js for `matches`; rulebot's glob matcher (segments, or re2js) for globs. */
  linear: Timing;
  /** JavaScript's RegExp for `matches`; picomatch for globs: what rulebot used before. */
  backtracking: Timing;
}

export interface EngineComparison {
  /** Distinct `matches` patterns (with their ignore_case) and globs among the generated rules. */
  patterns: number;
  globs: number;
  rows: EngineRow[];
  /** The slowest single match found for a pattern at the size limit, on a text at the length limit (re2js). */
  worst: { pattern: string; programSize: number; textLength: number; re2js: Timing };
  /** The pattern that stalled the event loop: RegExp on a few letters, re2js on the longest text matched. */
  catastrophic: { pattern: string; native: { letters: number; timing: Timing }[]; re2js: Timing; textLength: number };
}

export interface EngineTexts {
  /** Titles and descriptions of the fixtures' merge requests and issues. */
  texts: string[];
  /** Branch names, changed paths and project paths. */
  names: string[];
}

const CATASTROPHIC = '^(\\w+\\s?)*:';
/** A merge request description as people write them, repeated up to the longest text matched. */
const PARAGRAPH =
  '## What does this MR do?\n\nMoves the label sync to the background worker, so that webhook answers no longer wait on GitLab.\n\n' +
  '## How to test\n\n1. Open a merge request with `~"size::large"`.\n2. Check the worker logs: `sync done in 12 ms`.\n\nCloses #1234. /cc @alice @bob\n\n';

/** Times every `matches` pattern and every glob of the generated rules with each engine, on the same texts. */
export function benchEngines(files: readonly GeneratedFile[], { texts, names }: EngineTexts): EngineComparison {
  const patterns = collectPatterns(files);
  const globs = collectGlobs(files);
  const longText = PARAGRAPH.repeat(Math.ceil(MAX_MATCHED_LENGTH / PARAGRAPH.length)).slice(0, MAX_MATCHED_LENGTH);
  const re2Patterns = patterns.map(({ matches, ignoreCase }) => expectCompiled(compileRegex(matches, { ignoreCase })));
  const nativePatterns = patterns.map(({ matches, ignoreCase }) => regExpTest(new RegExp(matches, ignoreCase ? 'iu' : 'u')));
  const re2Globs = globs.map((glob) => expectCompiled(compileGlob(glob)));
  const nativeGlobs = globs.map((glob) => picomatch(glob, { dot: true }));
  return {
    patterns: patterns.length,
    globs: globs.length,
    rows: [
      row('matches, re2js vs RegExp: the fixtures\' titles and descriptions', texts, re2Patterns, nativePatterns),
      row(`matches, re2js vs RegExp: a ${Math.round(MAX_MATCHED_LENGTH / 1024)} KB description`, [longText], re2Patterns, nativePatterns),
      row('globs, rulebot vs picomatch: branches, paths, projects', names, re2Globs, nativeGlobs),
    ],
    worst: worstCase(),
    catastrophic: catastrophic(),
  };
}

function row(name: string, texts: readonly string[], linear: readonly Test[], backtracking: readonly Test[]): EngineRow {
  const run = (tests: readonly Test[]) => () => {
    let matched = 0;
    for (const test of tests) for (const text of texts) if (test(text)) matched++;
    return matched;
  };
  return {
    name,
    pairs: texts.length * linear.length,
    matched: { linear: run(linear)(), backtracking: run(backtracking)() },
    linear: timeCalls(run(linear)),
    backtracking: timeCalls(run(backtracking)),
  };
}

/** A pattern whose program is as large as allowed and that defeats re2js's automaton cache on 64 KB of letters. */
function worstCase(): EngineComparison['worst'] {
  let count = MAX_PROGRAM_SIZE;
  const pattern = () => `a\\pL{${count}}\\d`;
  while (RE2JS.compile(pattern()).programSize() > MAX_PROGRAM_SIZE) count--;
  const random = mulberry32(20_240_917);
  const text = Array.from({ length: MAX_MATCHED_LENGTH }, () => (random() < 0.5 ? 'a' : 'b')).join('');
  const test = expectCompiled(compileRegex(pattern(), { ignoreCase: true }));
  return { pattern: pattern(), programSize: RE2JS.compile(pattern()).programSize(), textLength: text.length, re2js: timeCalls(() => test(text), slow) };
}

function catastrophic(): EngineComparison['catastrophic'] {
  const native = new RegExp(CATASTROPHIC, 'u');
  const re2js = expectCompiled(compileRegex(CATASTROPHIC));
  // Each letter more doubles RegExp's time: 22 letters take tens of milliseconds, 31 took 11.6 s.
  const letters = [16, 18, 20, 22];
  const text = `${'a'.repeat(MAX_MATCHED_LENGTH - 2)}!:`;
  return {
    pattern: CATASTROPHIC,
    native: letters.map((n) => ({ letters: n, timing: timeCalls(() => native.test(`${'a'.repeat(n)}!`), slow) })),
    re2js: timeCalls(() => re2js(text)),
    textLength: text.length,
  };
}

/** For calls of milliseconds to seconds: no warm-up, three calls. */
const slow = { warmupMs: 0, batchMs: 0, batches: 3 };

function collectPatterns(files: readonly GeneratedFile[]): { matches: string; ignoreCase: boolean }[] {
  const found = new Map<string, { matches: string; ignoreCase: boolean }>();
  walkConditions(files, (condition) => {
    for (const key of ['title', 'description'] as const) {
      const spec = condition[key] as { matches?: string; ignore_case?: boolean } | undefined;
      if (spec?.matches !== undefined) found.set(`${spec.ignore_case}:${spec.matches}`, { matches: spec.matches, ignoreCase: spec.ignore_case ?? false });
    }
  });
  return [...found.values()];
}

function collectGlobs(files: readonly GeneratedFile[]): string[] {
  const found = new Set<string>(files.flatMap((file) => file.projects ?? []));
  walkConditions(files, (condition) => {
    for (const key of ['source_branch', 'target_branch'] as const) {
      const value = condition[key] as string | string[] | undefined;
      for (const glob of typeof value === 'string' ? [value] : (value ?? [])) found.add(glob);
    }
    const filesCondition = condition['files'] as Record<string, string[]> | undefined;
    for (const list of Object.values(filesCondition ?? {})) for (const glob of list) found.add(glob);
  });
  return [...found];
}

function walkConditions(files: readonly GeneratedFile[], visit: (condition: Record<string, unknown>) => void): void {
  const walk = (condition: Record<string, unknown>) => {
    visit(condition);
    for (const key of ['any', 'all'] as const) for (const inner of (condition[key] as Record<string, unknown>[] | undefined) ?? []) walk(inner);
    if (condition['not']) walk(condition['not'] as Record<string, unknown>);
  };
  for (const rule of files.flatMap((file) => file.rules)) if (rule.if) walk(rule.if);
}

function regExpTest(regex: RegExp): Test {
  return (text) => regex.test(text);
}

function expectCompiled(compiled: { test: Test } | { error: string }): Test {
  if ('error' in compiled) throw new Error(`a benchmark pattern was refused: ${compiled.error}`);
  return compiled.test;
}

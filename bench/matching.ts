// Rule matching benchmark: the cost of matchRules per event with 1,000 rules loaded, against smaller baselines.
import { readFile } from 'node:fs/promises';
import { loadRules, matchRules, RuleSet } from '../src/rules/index.js';
import type { RuleEvent } from '../src/event/event.js';
import { normalizeEvent } from '../src/event/from-webhook.js';
import { generateRuleFiles, toSources, type GeneratedFile } from './generate-rules.js';
import { benchEngines, type EngineComparison } from './matching-engines.js';
import { timeCalls, type Timing } from './timing.js';

export const RULE_COUNT = 1000;
/** Real GitLab payloads from test/fixtures; the merge request one is the headline figure. */
const FIXTURES = ['merge_request', 'issue', 'note_merge_request', 'pipeline'] as const;

export interface EventMatching {
  fixture: string;
  /** The event's most specific name, e.g. `merge_request.open`. */
  event: string;
  /** Rules listening to the event's names, and of those, how many matched or wait on a GitLab read. */
  candidates: number;
  matched: number;
  pending: number;
  normalize: Timing;
  /** No rules at all: the fixed cost of a call. */
  empty: Timing;
  /** Only the rules that listen to this kind of event (all actions). */
  sameKind: Timing & { rules: number };
  /** All the rules. */
  all: Timing;
}

export interface MatchingResult {
  rules: number;
  rulesPerKind: Record<string, number>;
  files: number;
  loadMs: number;
  events: EventMatching[];
  /** The `matches` patterns and globs of the same rules, with re2js and with the engines it replaced. */
  engines: EngineComparison;
}

/** Paths a merge request of the fixtures' kind changes, for the globs of `files` conditions. */
const CHANGED_PATHS = ['docs/index.md', 'README.md', 'api/users.ts', 'web/app/models/user.rb', 'db/migrate/20240917_add_index.sql', '.gitlab-ci.yml'];

/** Generates and loads the rules, then times every fixture event against them. */
export async function benchMatching(progress: (line: string) => void): Promise<MatchingResult> {
  const files = generateRuleFiles({ count: RULE_COUNT, files: 10, seed: 20_240_917 });
  const started = performance.now();
  const all = loadRules(toSources(files));
  const loadMs = performance.now() - started;
  const none = new RuleSet([]);

  const events: EventMatching[] = [];
  const texts = new Set<string>();
  const names = new Set<string>(CHANGED_PATHS);
  for (const fixture of FIXTURES) {
    const payload = JSON.parse(await readFile(new URL(`../test/fixtures/${fixture}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
    const event = normalized(payload, fixture);
    const subject = event.subject;
    for (const text of [subject?.title, subject?.description]) if (text) texts.add(text);
    for (const name of [subject?.source_branch, subject?.target_branch, event.project.path_with_namespace]) if (name) names.add(name);
    const sameKind = loadRules(toSources(files, (rule) => rule.on.some((name) => name.split('.')[0] === event.kind)));
    const outcome = matchRules(all, event, {});
    events.push({
      fixture,
      event: event.names.at(-1)!,
      candidates: all.candidates(event).length,
      matched: outcome.matched.length,
      pending: outcome.pending.length,
      normalize: timeCalls(() => normalizeEvent(payload)),
      empty: timeCalls(() => matchRules(none, event, {})),
      sameKind: { ...timeCalls(() => matchRules(sameKind, event, {})), rules: sameKind.rules.length },
      all: timeCalls(() => matchRules(all, event, {})),
    });
    progress(`  ${fixture}: ${(events.at(-1)!.all.nsPerCall / 1000).toFixed(1)} µs per event with ${all.rules.length} rules`);
  }
  progress('  engines: re2js against RegExp and picomatch on the same patterns...');
  const engines = benchEngines(files, { texts: [...texts], names: [...names] });
  return { rules: all.rules.length, rulesPerKind: countPerKind(files), files: files.length, loadMs, events, engines };
}

function normalized(payload: Record<string, unknown>, fixture: string): RuleEvent {
  const result = normalizeEvent(payload);
  if (!('event' in result)) throw new Error(`test/fixtures/${fixture}.json: expected an event rulebot acts on, got ${JSON.stringify(result)}`);
  return result.event;
}

function countPerKind(files: readonly GeneratedFile[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const rule of files.flatMap((file) => file.rules)) {
    const kind = rule.on[0]!.split('.')[0]!;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

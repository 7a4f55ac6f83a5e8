// Shared presets: the files an `extends` list names, read (through an injected reader) and merged before the file's own rules.
import type { RuleEntry } from './compile-entries.js';
import { ownEntries, parseRuleFile, type ParsedRuleFile, type ParseOptions, type RuleSource } from './load.js';
import { formatLocation, locationKey, parsePresetRef, sameProject, type FileLocation } from './preset-ref.js';
import { MAX_PRESET_FILES } from './schema.js';

/** Presets may extend presets, at most this deep below the file that starts the chain. */
export const MAX_PRESET_DEPTH = 5;
/**
 * The largest file rulebot reads from a repository (a project's file or a preset), in bytes. Compiling
 * rules costs CPU (some 0.6 ms per rule with a regular expression, warm): 32 KiB is some 150 rules.
 */
export const MAX_RULE_FILE_BYTES = 32 * 1024;
/** All the files of one configuration together, in bytes. */
export const MAX_CONFIG_BYTES = 128 * 1024;

/** What reading a preset gave: its text, why it cannot be read, or that it was not read at all (no token). */
export type PresetRead = { text: string } | { unreadable: string } | { skipped: string };
export type PresetReader = (location: FileLocation) => Promise<PresetRead>;

/** A file a configuration starts from: a central rule file, or a project's `.gitlab/rulebot.yml`. */
export interface RootFile {
  source: RuleSource;
  /** Where it lives in GitLab (a project's file); absent for the files of RULES_DIR. */
  location?: FileLocation;
}

export interface ConfigContext {
  read: PresetReader;
  /** Set for a project's own configuration: `projects` has no place in it, and schedule rules scan it. */
  project?: { id: number; path: string };
}

/** One problem and the project whose file it is in (undefined: a file of RULES_DIR). */
export interface ConfigProblem {
  text: string;
  project: string | undefined;
}

export interface ResolvedConfig {
  /** Every rule, presets first, in the order they fire; overridden rules replaced in place. */
  entries: RuleEntry[];
  problems: ConfigProblem[];
  /** Presets that were not read (no token): their rules are missing, and overrides of them were not checked. */
  skipped: string[];
  /** Every preset read, in the order first read. */
  presets: FileLocation[];
}

interface Walk {
  context: ConfigContext;
  problems: ConfigProblem[];
  skipped: string[];
  presets: FileLocation[];
  /** Files already taken into this configuration (a preset two files extend counts once). */
  included: Set<string>;
  bytes: number;
}

/**
 * Reads the presets of each root, depth first, and lists every rule in firing order: a file's presets
 * come before its own rules. A rule whose name an earlier file of the configuration defines is an
 * error unless it says `override: true`, and then it takes the earlier rule's place. Cycles, chains
 * deeper than MAX_PRESET_DEPTH, more than MAX_PRESET_FILES presets and presets that cannot be read
 * are errors naming the chain: `acme/app:.gitlab/rulebot.yml → acme/bot-config:presets/base.yml`.
 */
export async function resolveConfig(roots: readonly RootFile[], context: ConfigContext): Promise<ResolvedConfig> {
  const walk: Walk = { context, problems: [], skipped: [], presets: [], included: new Set(), bytes: 0 };
  const options = parseOptions(context);
  const entries: RuleEntry[] = [];
  for (const root of roots) {
    walk.bytes += byteLength(root.source.text);
    const parsed = parseRuleFile(root.source, options);
    const project = root.location?.project;
    if ('problems' in parsed) {
      walk.problems.push(...parsed.problems.map((text) => ({ text, project })));
      continue;
    }
    const link = root.location ? { name: formatLocation(root.location), key: locationKey(root.location) } : { name: root.source.path, key: `file:${root.source.path}` };
    walk.included = new Set([link.key]);
    const rootEntries: RuleEntry[] = [];
    await include(parsed, root.location, [link], [], rootEntries, walk);
    entries.push(...rootEntries);
  }
  if (walk.bytes > MAX_CONFIG_BYTES) {
    walk.problems.push({ text: `${roots[0]?.source.path ?? 'configuration'}: its files hold ${walk.bytes} bytes together, more than the ${MAX_CONFIG_BYTES} allowed`, project: roots[0]?.location?.project });
  }
  return { entries, problems: walk.problems, skipped: walk.skipped, presets: walk.presets };
}

/** Takes one file into the configuration: its presets (recursively), then its own rules. */
async function include(
  parsed: ParsedRuleFile,
  location: FileLocation | undefined,
  chain: readonly { name: string; key: string }[],
  projects: readonly (readonly string[])[],
  entries: RuleEntry[],
  walk: Walk,
): Promise<void> {
  const { source, file } = parsed;
  const project = location?.project;
  const at = (path: readonly PropertyKey[]) => {
    const line = parsed.lineOf(path);
    return `${source.path}${line ? `:${line}` : ''}`;
  };
  if (walk.context.project && file.projects) {
    walk.problems.push({ text: `${at(['projects'])}: projects: a project's own rules apply to that project only; leave "projects" out`, project });
  }
  const scopes = walk.context.project ? projects : [...projects, ...(file.projects?.length ? [file.projects] : [])];

  for (const [index, reference] of (file.extends ?? []).entries()) {
    const where = `${at(['extends', index])}: extends[${index}]`;
    const parsedRef = parsePresetRef(reference);
    if ('error' in parsedRef) continue; // refused by the schema already
    // A preset of the same project without a ref is read where the file naming it was read (a
    // merge request's head commit when one is checked), so that both change together.
    const target = parsedRef.ref === undefined && location && sameProject(parsedRef.project, location.project) ? { ...parsedRef, ref: location.ref } : parsedRef;
    const name = formatLocation(target);
    const key = locationKey(target);
    const route = [...chain.map((link) => link.name), name].join(' → ');
    if (chain.some((link) => link.key === key)) {
      walk.problems.push({ text: `${where}: "${reference}" extends a file of its own chain (a cycle): ${route}`, project });
      continue;
    }
    if (chain.length > MAX_PRESET_DEPTH) {
      walk.problems.push({ text: `${where}: presets may extend presets at most ${MAX_PRESET_DEPTH} levels deep: ${route}`, project });
      continue;
    }
    if (walk.included.has(key)) continue;
    walk.included.add(key);
    if (walk.presets.length >= MAX_PRESET_FILES) {
      walk.problems.push({ text: `${where}: a configuration may read at most ${MAX_PRESET_FILES} presets: ${route}`, project });
      continue;
    }
    walk.presets.push(target);
    const read = await walk.context.read(target);
    if ('skipped' in read) {
      walk.skipped.push(name);
      continue;
    }
    if ('unreadable' in read) {
      walk.problems.push({ text: `${where}: cannot read "${name}" (${read.unreadable}): ${route}`, project });
      continue;
    }
    walk.bytes += byteLength(read.text);
    const preset = parseRuleFile({ path: name, text: read.text }, parseOptions(walk.context));
    if ('problems' in preset) {
      walk.problems.push(...preset.problems.map((text) => ({ text, project: target.project })));
      continue;
    }
    await include(preset, target, [...chain, { name, key }], scopes, entries, walk);
  }

  // The file's own rules, against every rule taken in before them.
  const inherited = entries.length;
  const skippedSome = walk.skipped.length > 0;
  for (const [index, entry] of ownEntries(parsed, scopes).entries()) {
    const { spec } = entry;
    const where = `${at(['rules', index, 'override'])}: rule "${spec.name}"`;
    const earlier = entries.slice(0, inherited).findIndex((candidate) => candidate.spec.name === spec.name);
    if (earlier !== -1 && spec.override) entries[earlier] = entry;
    else if (earlier !== -1) {
      walk.problems.push({
        text: `${at(['rules', index, 'name'])}: rule "${spec.name}": name: ${entries[earlier]!.file} defines "${spec.name}" too; add override: true to replace that rule, or choose another name`,
        project,
      });
    } else {
      if (spec.override && !skippedSome) {
        walk.problems.push({ text: `${where}: override: no earlier file of this configuration defines a rule "${spec.name}" to replace`, project });
      }
      entries.push(entry);
    }
  }
}

function parseOptions(context: ConfigContext): ParseOptions {
  return context.project ? { defaultScope: { project: String(context.project.id) } } : {};
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

// Generates a large, realistic rule set in memory: many files, a mix of event kinds, some files limited to projects.
import { stringify } from 'yaml';
import type { RuleSource } from '../src/rules/index.js';
import { mulberry32 } from './random.js';
import {
  ISSUE_TEMPLATES,
  MERGE_REQUEST_TEMPLATES,
  NOTE_TEMPLATES,
  PIPELINE_TEMPLATES,
  type GeneratedRule,
  type Pick,
  type Template,
} from './rule-templates.js';

export interface GeneratedFile {
  path: string;
  projects: string[] | undefined;
  rules: GeneratedRule[];
}

/** Share of rules per event kind: most listen to events other than merge requests. */
const MIX: readonly { share: number; templates: readonly Template[] }[] = [
  { share: 0.15, templates: MERGE_REQUEST_TEMPLATES },
  { share: 0.35, templates: ISSUE_TEMPLATES },
  { share: 0.25, templates: NOTE_TEMPLATES },
  { share: 0.25, templates: PIPELINE_TEMPLATES },
];

/** `projects` per file, in turn: everywhere, the fixtures' groups, and groups no fixture belongs to. */
const PROJECTS: readonly (string[] | undefined)[] = [undefined, ['gitlabhq/**', 'gitlab-org/**'], ['platform/**'], ['infra/*', 'tools/*']];

/** `count` rules spread over `files` files; the same seed always gives the same rules. */
export function generateRuleFiles(options: { count: number; files: number; seed: number }): GeneratedFile[] {
  const random = mulberry32(options.seed);
  const pick: Pick = (list) => list[Math.floor(random() * list.length)]!;
  const files: GeneratedFile[] = Array.from({ length: options.files }, (_, i) => ({
    path: `bench-${String(i).padStart(2, '0')}.yml`,
    projects: PROJECTS[i % PROJECTS.length],
    rules: [],
  }));
  for (let n = 0; n < options.count; n++) {
    files[n % options.files]!.rules.push(pick(chooseKind(random()).templates)(n, pick));
  }
  return files;
}

/** The files as rule sources, keeping only the rules `keep` accepts. */
export function toSources(files: readonly GeneratedFile[], keep: (rule: GeneratedRule) => boolean = () => true): RuleSource[] {
  return files.map((file) => ({
    path: file.path,
    text: stringify({ ...(file.projects && { projects: file.projects }), rules: file.rules.filter(keep) }),
  }));
}

function chooseKind(roll: number): (typeof MIX)[number] {
  let total = 0;
  for (const kind of MIX) {
    total += kind.share;
    if (roll < total) return kind;
  }
  return MIX.at(-1)!;
}

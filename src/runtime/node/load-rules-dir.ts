// Reads every *.yml / *.yaml file of a directory and loads them as one rule set.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RuleConfigError } from '../../errors.js';
import { loadRules, prepareCentralRules, type CentralRules, type RuleSet, type RuleSource } from '../../rules/index.js';

export async function loadRulesDir(dir: string): Promise<RuleSet> {
  return loadRules(await readRuleFiles(dir));
}

/** The central rules, complete unless the files extend presets (read from GitLab as rulebot runs). */
export async function loadCentralRulesDir(dir: string): Promise<CentralRules> {
  return prepareCentralRules(await readRuleFiles(dir));
}

/** The rule files of a directory, by name, with their text. */
export async function readRuleFiles(dir: string): Promise<RuleSource[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => /\.ya?ml$/i.test(name)).sort();
  } catch (error) {
    throw new RuleConfigError([`${dir}: cannot read the rules directory (${(error as NodeJS.ErrnoException).code ?? String(error)}); give a directory of *.yml rule files (RULES_DIR, or --rules on the command line)`]);
  }
  return Promise.all(names.map(async (name) => ({ path: join(dir, name), text: await readFile(join(dir, name), 'utf8') })));
}

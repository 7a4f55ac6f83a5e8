// `rulebot check [--rules DIR]`: validates rule files and says what is wrong with each.
import { RuleConfigError } from '../../../errors.js';
import { readdir } from 'node:fs/promises';
import { loadRulesDir } from '../load-rules-dir.js';

export async function runCheck(options: { rules: string }, out: (line: string) => void): Promise<number> {
  try {
    const ruleSet = await loadRulesDir(options.rules);
    const files = new Set(ruleSet.rules.map((rule) => rule.file));
    if (ruleSet.rules.length === 0 && (await ruleFiles(options.rules)) === 0) {
      out(`${options.rules}: no rule files here (rulebot reads *.yml and *.yaml files); try --rules rules or --rules examples/rules`);
      return 1;
    }
    out(`${options.rules}: ${plural(ruleSet.rules.length, 'rule')} in ${plural(files.size, 'file')}, all valid`);
    return 0;
  } catch (error) {
    if (!(error instanceof RuleConfigError)) throw error;
    for (const issue of error.issues) out(issue);
    out(`${plural(error.issues.length, 'problem')} found`);
    return 1;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

async function ruleFiles(dir: string): Promise<number> {
  return (await readdir(dir)).filter((name) => /\.ya?ml$/i.test(name)).length;
}

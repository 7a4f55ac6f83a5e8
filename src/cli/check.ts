// `rulebot check [--rules DIR]`: validates rule files and says what is wrong with each.
import { RuleConfigError } from '../errors.js';
import { loadRulesDir } from '../runtime/node/load-rules-dir.js';

export async function runCheck(options: { rules: string }, out: (line: string) => void): Promise<number> {
  try {
    const ruleSet = await loadRulesDir(options.rules);
    const files = new Set(ruleSet.rules.map((rule) => rule.file));
    out(`${options.rules}: ${ruleSet.rules.length} rules in ${files.size} files, all valid`);
    return 0;
  } catch (error) {
    if (!(error instanceof RuleConfigError)) throw error;
    for (const issue of error.issues) out(issue);
    out(`${error.issues.length} problem${error.issues.length === 1 ? '' : 's'} found`);
    return 1;
  }
}

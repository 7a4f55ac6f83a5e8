// `rulebot labels sync --project P | --group G [--dry-run]`: creates and updates the labels the rule files declare.
import { parseConfig, secretValues } from '../../../config/config.js';
import { createEngine } from '../../../engine.js';
import { labelOwner, syncLabels } from '../../../gitlab/index.js';
import { createLogger } from '../../../log.js';
import { MemoryStore } from '../../../store/index.js';
import { loadCentralRulesDir } from '../load-rules-dir.js';
import { cliCredentials } from './credentials.js';

export interface LabelsCommandOptions {
  rules: string;
  scope: { project: string } | { group: string };
  dryRun: boolean;
  env: Record<string, string | undefined>;
}

export async function runLabelsSync(options: LabelsCommandOptions, out: (line: string) => void): Promise<number> {
  // A CI job token may only read: `--dry-run` works with one, a real run does not.
  const config = parseConfig({ ...options.env, RULES_DIR: options.rules }, { requireSecret: false, readOnly: options.dryRun });
  const central = await loadCentralRulesDir(options.rules);
  const labels = central.labels ?? [...central.ruleSet.labels.values()];
  if (labels.length === 0) {
    out(`rulebot labels sync: the rule files in ${options.rules} declare no labels (add a "labels:" section)`);
    return 1;
  }
  const log = createLogger({ level: 'error', write: (line) => process.stderr.write(`${line}\n`), secrets: secretValues(config) });
  const credentials = cliCredentials(config, log, 'labels sync');
  try {
    const engine = createEngine({ config, rules: central.ruleSet, central, store: new MemoryStore(), log, upkeep: credentials.upkeep });
    await engine.init();
    const where = 'project' in options.scope ? `project ${options.scope.project}` : `group ${options.scope.group}`;
    const changes = await syncLabels(engine.gitlab, labelOwner(options.scope), labels, options.dryRun);
    const verb = options.dryRun ? 'would ' : '';
    for (const change of changes) {
      if (change.action === 'create') out(`${verb}create ~"${change.name}" (${change.detail}) in ${where}`);
      if (change.action === 'update') out(`${verb}update ~"${change.name}" in ${where}: ${change.detail}`);
    }
    const count = (action: string) => changes.filter((change) => change.action === action).length;
    out(`labels: ${count('create')} to create, ${count('update')} to update, ${count('unchanged')} already right${options.dryRun ? ' (dry run: nothing changed)' : ''}`);
    return 0;
  } finally {
    await credentials.close();
  }
}

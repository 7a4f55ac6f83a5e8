// schema/rulebot.schema.json: generated from the zod schemas and up to date; every shipped and documented
// rule file validates against it with a JSON Schema validator; invalid files are refused by it and by `rulebot check`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formatJsonSchema } from '../src/rules/json-schema.js';
import { parseRuleFile } from '../src/rules/load.js';
import { runCli } from '../src/runtime/node/cli/run.js';

const SCHEMA_FILE = 'schema/rulebot.schema.json';

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };

/**
 * ajv (draft 2020-12) when it is installed. It is a development dependency of the schema tests only;
 * without it they are skipped, saying so, and the rest of the suite runs.
 */
async function loadValidator(): Promise<Validate | undefined> {
  const specifier = 'ajv/dist/2020.js';
  const module = (await import(specifier).catch(() => undefined)) as { default?: unknown } | undefined;
  if (!module) return undefined;
  const Ajv = ((module.default as { default?: unknown }).default ?? module.default) as new (options: object) => { compile(schema: object): Validate };
  // Strict, except for `required` inside `anyOf` ("rules" or "extends"), which names properties defined beside it.
  return new Ajv({ strict: true, strictRequired: false, allErrors: true }).compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
}

const validate = await loadValidator();
if (!validate) console.warn('ajv is not installed: the JSON Schema validation tests are skipped (npm install --save-dev ajv)');

interface Example {
  name: string;
  text: string;
  /** A project's own file (the examples of "Rules in your project"): its schedule rules need no scope. */
  project?: boolean;
}

/** The YAML blocks of docs/rules.md that are whole rule files, with their section; blocks showing errors are left out. */
function documentedRuleFiles(): Example[] {
  const files: Example[] = [];
  let section = '';
  let chapter = '';
  const lines = readFileSync('docs/rules.md', 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) section = line.replace(/^#+\s*/, '');
    if (line.startsWith('## ')) chapter = section;
    if (line !== '```yaml') continue;
    const end = lines.indexOf('```', i + 1);
    const text = lines.slice(i + 1, end).join('\n');
    i = end;
    // The section on validation errors shows files that are wrong on purpose.
    if (section === 'Validation errors') continue;
    const value = parse(text) as unknown;
    if (value && typeof value === 'object' && ('rules' in value || 'extends' in value || 'labels' in value)) {
      files.push({ name: `docs/rules.md, "${section}", line ${i}`, text, project: chapter === 'Rules in your project' });
    }
  }
  return files;
}

function shippedRuleFiles(): Example[] {
  return ['rules', 'examples/rules'].flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .map((name) => ({ name: join(dir, name), text: readFileSync(join(dir, name), 'utf8') })),
  );
}

function problems(validator: Validate, data: unknown): string[] {
  return validator(data) ? [] : (validator.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.message}`);
}

describe('schema/rulebot.schema.json', () => {
  it('is what the zod schemas generate (run `npm run schema` after changing them)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8'), `${SCHEMA_FILE} is stale: run npm run schema`).toBe(formatJsonSchema());
  });

  it('finds the documented examples to check', () => {
    expect(documentedRuleFiles().length).toBeGreaterThan(15);
    expect(shippedRuleFiles().map((file) => file.name)).toEqual(['rules/commands.yml', 'rules/merge-requests.yml', 'examples/rules/housekeeping.yml']);
  });

  const examples = [...shippedRuleFiles(), ...documentedRuleFiles()];

  it.each(examples)('rulebot accepts $name', ({ name, text, project }) => {
    const loaded = parseRuleFile({ path: name, text }, project ? { defaultScope: { project: '1' } } : {});
    expect('problems' in loaded ? loaded.problems : []).toEqual([]);
  });

  it.skipIf(!validate).each(examples)('the JSON Schema accepts $name', ({ text }) => {
    expect(problems(validate!, parse(text))).toEqual([]);
  });

  const INVALID: [string, string][] = [
    ['an unknown key', 'rules:\n  - name: r\n    on: issue\n    iff: { draft: true }\n    then: { close: true }\n'],
    ['labels given as text', 'rules:\n  - name: r\n    on: issue\n    then: { add_labels: bug }\n'],
    ['an unknown event', 'rules:\n  - name: r\n    on: merge_request.opened\n    then: { close: true }\n'],
    ['no actions', 'rules:\n  - name: r\n    on: issue\n    then: {}\n'],
    ['close: false', 'rules:\n  - name: r\n    on: issue\n    then: { close: false }\n'],
    ['a preset that is not group/project:path', 'extends: ["presets/base.yml"]\n'],
    ['neither rules nor extends', 'projects: ["acme/**"]\n'],
  ];

  it.skipIf(!validate).each(INVALID)('the JSON Schema refuses %s', (_what, text) => {
    expect(problems(validate!, parse(text))).not.toEqual([]);
  });

  it.each(INVALID)('rulebot check refuses %s', async (_what, text) => {
    const dir = await mkdtemp(join(tmpdir(), 'rulebot-schema-'));
    await writeFile(join(dir, 'rulebot.yml'), text);
    const lines: string[] = [];
    expect(await runCli(['check', join(dir, 'rulebot.yml')], {}, (line) => lines.push(line))).toBe(1);
    expect(lines.at(-1)).toMatch(/^\d+ problems? found$/);
  });
});

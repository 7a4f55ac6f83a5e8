import { describe, expect, it } from 'vitest';
import { loadCentralConfig, loadProjectConfig } from './configuration.js';
import type { PresetRead } from './extends.js';
import { formatLocation, parsePresetRef, type FileLocation } from './preset-ref.js';

const APP = { id: 7, path: 'acme/app' };
const ROOT: FileLocation = { project: 'acme/app', path: '.gitlab/rulebot.yml', ref: undefined };

/** A reader over files named as in `extends`; it records what it was asked for. */
function reader(files: Record<string, string>) {
  const asked: string[] = [];
  const read = async (location: FileLocation): Promise<PresetRead> => {
    const name = formatLocation(location);
    asked.push(name);
    const text = files[name];
    return text === undefined ? { unreadable: '404 File Not Found' } : { text };
  };
  return { read, asked };
}

const rule = (name: string, extra = '') => `  - name: ${name}\n    on: merge_request.open\n${extra}    then: { add_labels: [${name}] }\n`;

async function project(text: string, files: Record<string, string> = {}) {
  const { read, asked } = reader(files);
  const loaded = await loadProjectConfig({ project: APP, file: { location: ROOT, text }, read });
  return { ...loaded, asked, texts: loaded.problems.map((problem) => problem.text) };
}

describe('preset references', () => {
  it('read project, path and ref', () => {
    expect(parsePresetRef('acme/bot-config:presets/base.yml')).toEqual({ project: 'acme/bot-config', path: 'presets/base.yml', ref: undefined });
    expect(parsePresetRef('acme/sub/bot:base.yml@v1.2')).toEqual({ project: 'acme/sub/bot', path: 'base.yml', ref: 'v1.2' });
    expect(parsePresetRef('acme/bot:a@b.yml@main')).toEqual({ project: 'acme/bot', path: 'a@b.yml', ref: 'main' });
  });

  it('refuse what is not one, saying what was expected', () => {
    expect(parsePresetRef('presets/base.yml')).toEqual({ error: expect.stringMatching(/^expected "group\/project:path\/to\/file\.yml"/) });
    expect(parsePresetRef('acme:base.yml')).toEqual({ error: expect.stringContaining('"acme" is not a project path') });
    expect(parsePresetRef('acme/bot:../secrets.yml')).toEqual({ error: expect.stringContaining('has an empty, "." or ".." part') });
    expect(parsePresetRef('acme/bot:/base.yml')).toEqual({ error: expect.stringContaining('starts with "/"') });
    expect(parsePresetRef('acme/bot:base.yml@')).toEqual({ error: expect.stringContaining('nothing follows the "@"') });
  });
});

describe('a project configuration with presets', () => {
  it('puts the presets\' rules first, in extends order, then its own, keyed by project', async () => {
    const loaded = await project(`extends: ["acme/bot-config:base.yml", "acme/bot-config:extra.yml@v1"]\nrules:\n${rule('own')}`, {
      'acme/bot-config:base.yml': `rules:\n${rule('base')}`,
      'acme/bot-config:extra.yml@v1': `extends: ["acme/bot-config:deep.yml"]\nrules:\n${rule('extra')}`,
      // Named without a ref by a preset of its own project: read at that preset's ref.
      'acme/bot-config:deep.yml@v1': `rules:\n${rule('deep')}`,
    });
    expect(loaded.texts).toEqual([]);
    expect(loaded.rules.map((r) => [r.name, r.file, r.key])).toEqual([
      ['base', 'acme/bot-config:base.yml', 'project:7:base'],
      ['deep', 'acme/bot-config:deep.yml@v1', 'project:7:deep'],
      ['extra', 'acme/bot-config:extra.yml@v1', 'project:7:extra'],
      ['own', '.gitlab/rulebot.yml', 'project:7:own'],
    ]);
    expect(loaded.asked).toEqual(['acme/bot-config:base.yml', 'acme/bot-config:extra.yml@v1', 'acme/bot-config:deep.yml@v1']);
  });

  it('needs no rules of its own, and reads a preset two files extend once', async () => {
    const loaded = await project(`extends: ["acme/c:a.yml", "acme/c:b.yml"]\n`, {
      'acme/c:a.yml': `extends: ["acme/c:shared.yml"]\nrules:\n${rule('a')}`,
      'acme/c:b.yml': `extends: ["acme/c:shared.yml"]\nrules:\n${rule('b')}`,
      'acme/c:shared.yml': `rules:\n${rule('shared')}`,
    });
    expect(loaded.rules.map((r) => r.name)).toEqual(['shared', 'a', 'b']);
    expect(loaded.asked).toEqual(['acme/c:a.yml', 'acme/c:shared.yml', 'acme/c:b.yml']);
  });

  it('replaces a preset\'s rule in its place with override: true, and refuses a second definition without it', async () => {
    const files = { 'acme/c:base.yml': `rules:\n${rule('first')}${rule('second')}` };
    const replaced = await project(`extends: ["acme/c:base.yml"]\nrules:\n${rule('first', '    override: true\n').replace('[first]', '[mine]')}`, files);
    expect(replaced.rules.map((r) => [r.name, r.file, r.then.add_labels])).toEqual([
      ['first', '.gitlab/rulebot.yml', ['mine']],
      ['second', 'acme/c:base.yml', ['second']],
    ]);
    const twice = await project(`extends: ["acme/c:base.yml"]\nrules:\n${rule('second')}`, files);
    expect(twice.texts).toEqual([
      '.gitlab/rulebot.yml:3: rule "second": name: acme/c:base.yml defines "second" too; add override: true to replace that rule, or choose another name',
    ]);
    const nothing = await project(`rules:\n${rule('lonely', '    override: true\n')}`);
    expect(nothing.texts).toEqual(['.gitlab/rulebot.yml:4: rule "lonely": override: no earlier file of this configuration defines a rule "lonely" to replace']);
  });

  it('names the chain of a cycle, of a chain too deep, and of a preset it cannot read', async () => {
    const cycle = await project(`extends: ["acme/c:a.yml"]\n`, {
      'acme/c:a.yml': `extends: ["acme/c:b.yml"]\nrules:\n${rule('a')}`,
      'acme/c:b.yml': `extends: ["acme/app:.gitlab/rulebot.yml"]\nrules:\n${rule('b')}`,
    });
    expect(cycle.texts).toEqual([
      'acme/c:b.yml:1: extends[0]: "acme/app:.gitlab/rulebot.yml" extends a file of its own chain (a cycle): ' +
        'acme/app:.gitlab/rulebot.yml → acme/c:a.yml → acme/c:b.yml → acme/app:.gitlab/rulebot.yml',
    ]);
    expect(cycle.rules).toEqual([]);

    const deep: Record<string, string> = {};
    for (let level = 1; level <= 6; level++) deep[`acme/c:l${level}.yml`] = `extends: ["acme/c:l${level + 1}.yml"]\nrules:\n${rule(`l${level}`)}`;
    const tooDeep = await project(`extends: ["acme/c:l1.yml"]\n`, deep);
    expect(tooDeep.texts).toEqual([
      'acme/c:l5.yml:1: extends[0]: presets may extend presets at most 5 levels deep: ' +
        'acme/app:.gitlab/rulebot.yml → acme/c:l1.yml → acme/c:l2.yml → acme/c:l3.yml → acme/c:l4.yml → acme/c:l5.yml → acme/c:l6.yml',
    ]);

    const missing = await project(`rules:\n${rule('own')}extends:\n  - "acme/c:gone.yml"\n`);
    expect(missing.texts).toEqual([
      '.gitlab/rulebot.yml:6: extends[0]: cannot read "acme/c:gone.yml" (404 File Not Found): acme/app:.gitlab/rulebot.yml → acme/c:gone.yml',
    ]);
  });

  it('reads at most 20 presets', async () => {
    const files: Record<string, string> = {};
    const names = Array.from({ length: 21 }, (_, i) => `acme/c:p${i}.yml`);
    for (const [i, name] of names.entries()) files[name] = `rules:\n${rule(`p${i}`)}`;
    const loaded = await project(`extends: [${names.slice(0, 20).map((n) => `"${n}"`).join(', ')}]\nrules:\n${rule('own')}`, files);
    expect(loaded.texts).toEqual([]);
    files['acme/c:p19.yml'] = `extends: ["acme/c:p20.yml"]\nrules:\n${rule('p19')}`;
    const tooMany = await project(`extends: [${names.slice(0, 20).map((n) => `"${n}"`).join(', ')}]\n`, files);
    expect(tooMany.texts).toEqual([
      'acme/c:p19.yml:1: extends[0]: a configuration may read at most 20 presets: acme/app:.gitlab/rulebot.yml → acme/c:p19.yml → acme/c:p20.yml',
    ]);
  });

  it('reads a preset of its own project at the ref of the file that names it', async () => {
    const { read, asked } = reader({ 'acme/app:presets/base.yml@abc123': `rules:\n${rule('base')}` });
    const loaded = await loadProjectConfig({
      project: APP,
      file: { location: { ...ROOT, ref: 'abc123' }, text: 'extends: ["acme/app:presets/base.yml"]\n' },
      read,
    });
    expect(loaded.rules.map((r) => r.name)).toEqual(['base']);
    expect(asked).toEqual(['acme/app:presets/base.yml@abc123']);
  });

  it('refuses projects, and schedule scopes beyond the project; gives schedule rules the project as scope', async () => {
    const schedule = (scope: string) =>
      `  - name: stale\n    on: schedule\n    schedule: "0 6 * * *"\n    resource: issues\n${scope}    then: { add_labels: [stale] }\n`;
    const own = await project(`rules:\n${schedule('')}`);
    expect(own.rules[0]?.schedule?.scope).toEqual({ project: '7' });
    expect((await project(`rules:\n${schedule('    scope: { project: "acme/app" }\n')}`)).texts).toEqual([]);
    expect((await project(`projects: ["acme/**"]\nrules:\n${schedule('    scope: { group: acme }\n')}`)).texts).toEqual([
      '.gitlab/rulebot.yml:1: projects: a project\'s own rules apply to that project only; leave "projects" out',
      '.gitlab/rulebot.yml: rule "stale": scope: a project\'s schedule rules scan that project only (acme/app); leave scope out',
    ]);
  });

  it('tells the problems of another project\'s preset by that project, for who may see them', async () => {
    const loaded = await project(`extends: ["acme/c:bad.yml"]\nrules:\n${rule('own')}`, { 'acme/c:bad.yml': 'rules:\n  - name: x\n    on: nope\n    then: { close: true }\n' });
    expect(loaded.problems).toEqual([{ text: expect.stringMatching(/^acme\/c:bad\.yml:3: rule "x": on: unknown event "nope"/), project: 'acme/c' }]);
  });
});

describe('central rules with presets', () => {
  it('limit a preset\'s rules by the projects of the file that extends it and of the preset', async () => {
    const { read } = reader({ 'acme/c:base.yml': `projects: ["acme/**"]\nrules:\n${rule('base')}` });
    const loaded = await loadCentralConfig([{ path: 'rules/a.yml', text: `projects: ["*/app"]\nextends: ["acme/c:base.yml"]\nrules:\n${rule('own')}` }], read);
    expect(loaded.problems).toEqual([]);
    const base = loaded.rules[0]!;
    expect([base.name, base.inProject('acme/app'), base.inProject('other/app'), base.inProject('acme/web')]).toEqual(['base', true, false, false]);
  });

  it('leave presets out when they cannot be read at all (no token), saying which', async () => {
    const loaded = await loadCentralConfig([{ path: 'rules/a.yml', text: `extends: ["acme/c:base.yml"]\nrules:\n${rule('own', '    override: true\n')}` }], async () => ({
      skipped: 'no token',
    }));
    expect(loaded).toMatchObject({ problems: [], skipped: ['acme/c:base.yml'] });
    expect(loaded.rules.map((r) => r.name)).toEqual(['own']);
  });
});

// The JSON Schema of rule files, generated from the zod schemas: schema/rulebot.schema.json is this, written out.
import { z } from 'zod';
import { RuleFileSchema } from './schema.js';

/**
 * The JSON Schema (draft 2020-12) of a rule file, central or a project's own, for editors
 * (`# yaml-language-server: $schema=…`) and other tools. It describes the input as written (`on` as
 * one event or a list). What JSON Schema cannot say — RE2 syntax and size, globs, templates, cron
 * expressions, rules that need a schedule — only `rulebot check` and rulebot itself check.
 */
export function ruleFileJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(RuleFileSchema, { io: 'input', target: 'draft-2020-12' });
  const { $schema, ...rest } = generated;
  return {
    $schema,
    title: 'rulebot rule file',
    description: 'Rules for rulebot, the GitLab automation bot: a central rule file, or a project\'s own .gitlab/rulebot.yml. See docs/rules.md.',
    ...rest,
  };
}

/** The schema as the committed file holds it. */
export function formatJsonSchema(): string {
  return `${JSON.stringify(ruleFileJsonSchema(), null, 2)}\n`;
}

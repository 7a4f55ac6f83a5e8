// Comment templates: `{{ variable }}` placeholders checked when rules load, filled safely when they run.
import type { RuleEvent } from '../event/event.js';

export interface TemplateValues {
  event: RuleEvent;
  /** Username of the merge request's or issue's author, when it was needed and known. */
  authorUsername?: string | undefined;
}

type Getter = (values: TemplateValues) => string | number | undefined;

/** Variables a template may use, with where each value comes from. */
export const TEMPLATE_VARIABLES: Readonly<Record<string, Getter>> = {
  'user.username': ({ event }) => event.user.username,
  'user.name': ({ event }) => event.user.name,
  'author.username': ({ authorUsername }) => authorUsername,
  title: ({ event }) => event.subject?.title,
  iid: ({ event }) => event.subject?.iid,
  url: ({ event }) => event.subject?.url,
  source_branch: ({ event }) => event.subject?.source_branch,
  target_branch: ({ event }) => event.subject?.target_branch,
  'project.path_with_namespace': ({ event }) => event.project.path_with_namespace,
  command: ({ event }) => event.command?.name,
  args: ({ event }) => event.command?.args.map((arg) => arg.raw).join(' '),
};

type Part = { text: string } | { variable: string };

export interface Template {
  source: string;
  parts: Part[];
  variables: string[];
}

/** Parses a template, or returns the problem in words. */
export function compileTemplate(source: string): Template | { error: string } {
  const parts: Part[] = [];
  const variables: string[] = [];
  const pattern = /\{\{\s*([^{}]*?)\s*\}\}/g;
  let last = 0;
  for (const match of source.matchAll(pattern)) {
    const name = match[1] ?? '';
    if (!(name in TEMPLATE_VARIABLES)) {
      return { error: `unknown template variable "{{ ${name} }}" (known: ${Object.keys(TEMPLATE_VARIABLES).join(', ')})` };
    }
    parts.push({ text: source.slice(last, match.index) }, { variable: name });
    variables.push(name);
    last = match.index + match[0].length;
  }
  const rest = source.slice(last);
  if (rest.includes('{{') || rest.includes('}}') || parts.some((p) => 'text' in p && (p.text.includes('{{') || p.text.includes('}}')))) {
    return { error: 'unbalanced "{{" or "}}" in template' };
  }
  parts.push({ text: rest });
  return { source, parts: parts.filter((p) => !('text' in p) || p.text !== ''), variables };
}

/**
 * Fills a template. Values come from users (titles, branch names, usernames), so each is made inert:
 * it is kept on one line, it can never start a line with `/` (GitLab would run it as a quick action
 * with the bot's rights, see doc/user/project/quick_actions.md), and an `@` in it cannot mention anyone.
 */
export function renderTemplate(template: Template, values: TemplateValues): string {
  let out = '';
  for (const part of template.parts) {
    if ('text' in part) {
      out += part.text;
      continue;
    }
    const raw = TEMPLATE_VARIABLES[part.variable]?.(values);
    out += neutralize(raw === undefined ? '' : String(raw), atLineStart(out));
  }
  return out;
}

function atLineStart(text: string): boolean {
  const lineStart = text.lastIndexOf('\n') + 1;
  return text.slice(lineStart).trim() === '';
}

/** Makes an interpolated value unable to act as markup that does something. */
export function neutralize(value: string, startsLine: boolean): string {
  let safe = value
    .replace(/[\r\n\u2028\u2029\u0085\v\f]+/g, ' ')
    .replace(/@(?=[\w.-])/g, '@\u200b');
  if (startsLine) safe = safe.replace(/^(\s*)\//, '$1\\/');
  return safe;
}

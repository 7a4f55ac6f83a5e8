// Words for rule-file problems: "file:line: rule "name": field: expected …, got …".
import type { z } from 'zod';
import { ActionsSchema, ConditionSchema, RuleFileSchema, RuleSchema } from './schema.js';

type Path = readonly PropertyKey[];

/** Describes a YAML value the way a person would: `a number (5)`, `"text"`, `a list`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'string') return value === '' ? 'an empty string' : `"${value.length > 60 ? `${value.slice(0, 57)}...` : value}"`;
  if (typeof value === 'number') return `a number (${value})`;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

/** The value found at `path` in the raw parsed YAML. */
export function valueAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** `rule "docs": then.add_labels[1]` for a path into a rule file. */
export function describeLocation(root: unknown, path: Path): string {
  if (path[0] !== 'rules' || typeof path[1] !== 'number') return formatPath(path) || '(top level)';
  const name = valueAt(root, ['rules', path[1], 'name']);
  const rule = typeof name === 'string' && name !== '' ? `rule "${name}"` : `rules[${path[1]}]`;
  const rest = formatPath(path.slice(2));
  return rest ? `${rule}: ${rest}` : rule;
}

function formatPath(path: Path): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/**
 * For a value of one of a union's forms that is wrong inside (`auto_merge: {squash: maybe}`, a list
 * with a bad item, a text that is not one of those allowed), the problem inside, at its own path: `then.auto_merge.squash: expected true or
 * false`, not `expected true or {squash}, got a mapping`. Other issues are kept.
 */
export function innermostIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  // The form the value has is the one whose problems are not about the value's type or literal value.
  const wrongForm = (sub: z.core.$ZodIssue) => sub.path.length === 0 && (sub.code === 'invalid_type' || sub.code === 'invalid_value' || sub.code === 'invalid_union');
  const inside = issue.errors.filter((branch) => branch.length > 0 && !branch.some(wrongForm));
  if (inside.length !== 1) return issue;
  const sub = inside[0]![0]!;
  return innermostIssue({ ...sub, path: [...issue.path, ...sub.path] } as z.core.$ZodIssue);
}

/** One sentence for a zod issue: what was expected and what was found. */
export function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const found = valueAt(root, issue.path as Path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(issue.path as Path);
      const keys = issue.keys.map((key) => `"${key}"`).join(', ');
      return `unknown key ${keys}${known ? ` (expected one of: ${known.join(', ')})` : ''}`;
    }
    case 'invalid_type':
    case 'invalid_union':
    case 'invalid_value':
      return withFound(issue.message, found);
    default:
      // Refinements that say what they expected ("expected a duration …") get what was found too.
      return /^expected [^:]*$/.test(issue.message) && !/\bgot\b/.test(issue.message) ? withFound(issue.message, found) : issue.message;
  }
}

function withFound(message: string, found: unknown): string {
  // zod's own wording ("Invalid input: expected array, received string") is reduced to its "expected" part.
  const expected = message.replace(/^Invalid input: /, '').replace(/, received \w+$/, '');
  return /\bgot\b/.test(expected) ? expected : `${expected}, got ${describeValue(found)}`;
}

function knownKeys(path: Path): string[] | undefined {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (path.length === 0) return Object.keys(RuleFileSchema.shape);
  if (path.length === 2 && path[0] === 'rules') return Object.keys(RuleSchema.shape);
  if (last === 'then') return Object.keys(ActionsSchema.shape);
  if (last === 'if' || last === 'not' || (typeof last === 'number' && (parent === 'any' || parent === 'all'))) {
    return Object.keys(ConditionSchema.shape);
  }
  return undefined;
}

// The words explanations of conditions are made of: lists, quotes, counts, and what one condition found.
import type { MatchContext } from './context.js';
import type { Condition } from './schema.js';

/**
 * What a condition that does not hold asked for and what the event showed (`expected`, `found`), for
 * records; with `needs` and `has` for a person whose command it refused: "`merge` needs {needs}; {has}".
 */
export interface Finding {
  /** The part of the condition that failed, appended to its path: `none`, `count.at_least`. */
  part?: string;
  expected: string;
  found: string;
  /** What it takes, as the object of "needs": `the pipeline to have succeeded`. */
  needs?: string;
  /** What is instead, as a clause: `it is running`. */
  has?: string;
}

export type Describer<K extends keyof Condition> = (value: NonNullable<Condition[K]>, ctx: MatchContext) => Finding;

export function list(items: readonly string[]): string {
  return items.join(', ');
}

/** `a or b or c`: one of a few alternatives. */
export function either(items: readonly string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1)}` : (items[0] ?? '');
}

export function quoted(items: readonly string[], max = 10): string {
  const shown = items.slice(0, max).map((item) => `"${clip(item)}"`).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** Text from users shown in an explanation stays short. */
export function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

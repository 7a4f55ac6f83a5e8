// Request parameters as GitLab's Grape layer reads them: form fields, and coercion of each kind of value.

import { badRequest } from './replies.js';

/** Parameters of a request: query string merged with a JSON or form body (the body wins). */
export type Params = Record<string, unknown>;

/**
 * Form or query fields the way Rack reads them: `ids[]=1&ids[]=2` collects into `{ ids: ['1', '2'] }`,
 * a repeated plain name keeps its last value.
 */
export function parseFormFields(fields: URLSearchParams): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of fields) {
    if (name.endsWith('[]')) {
      const key = name.slice(0, -2);
      const previous = result[key];
      result[key] = Array.isArray(previous) ? [...previous, value] : [value];
    } else {
      result[name] = value;
    }
  }
  return result;
}

export function has(params: Params, name: string): boolean {
  return Object.hasOwn(params, name);
}

export function readString(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw badRequest(`${name} is invalid`);
}

/** One of `allowed`; any other value is refused with Grape's wording. */
export function readChoice<T extends string>(params: Params, name: string, allowed: readonly T[]): T | undefined {
  const value = readString(params, name);
  if (value === undefined) return undefined;
  const choice = allowed.find((candidate) => candidate === value);
  if (choice === undefined) throw badRequest(`${name} does not have a valid value`);
  return choice;
}

export function readBoolean(params: Params, name: string): boolean | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (value === true || value === 'true' || value === '1') return true;
  if (value === false || value === 'false' || value === '0') return false;
  throw badRequest(`${name} is invalid`);
}

export function readInteger(params: Params, name: string): number | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const number = toInteger(value);
  if (number === undefined) throw badRequest(`${name} is invalid`);
  return number;
}

/**
 * Label names: a comma-separated string or an array of them (GitLab splits each element on commas
 * too). An empty string means "no labels".
 */
export function readLabelList(params: Params, name: string): string[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  const parts = Array.isArray(value) ? value : [value];
  if (!parts.every((part): part is string => typeof part === 'string')) throw badRequest(`${name} is invalid`);
  return unique(parts.flatMap((part) => part.split(',')).map((label) => label.trim()).filter(Boolean));
}

/**
 * User ids: an array of numbers or numeric strings, a comma-separated string, or one number.
 * An empty string, empty array or `null` clears the list, as in GitLab.
 */
export function readIdList(params: Params, name: string): number[] | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (value === null || value === '') return [];
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [value];
  const ids = parts.map(toInteger);
  if (!ids.every((id): id is number => id !== undefined)) throw badRequest(`${name} is invalid`);
  return unique(ids);
}

function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
  return undefined;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

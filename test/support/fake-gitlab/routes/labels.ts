// `GET|POST /projects/:id/labels`, `GET|PUT …/labels/:label_id`, and the same for groups.
// https://docs.gitlab.com/api/labels/

import type { FakeLabel } from '../label-registry.js';
import { paginate } from '../pagination.js';
import { readString } from '../params.js';
import { ApiError, badRequest, notFound } from '../replies.js';
import { findGroup, findProject } from './lookups.js';
import type { RouteContext, RouteHandler } from './route-context.js';

type Kind = 'project' | 'group';

function owner(context: RouteContext, kind: Kind): string {
  return kind === 'project' ? `project:${findProject(context).id}` : `group:${findGroup(context).id}`;
}

/** Groups above a project, by path prefix: their labels are the project's too. */
function ancestors(context: RouteContext): string[] {
  const project = findProject(context);
  return context.store.memberships
    .allGroups()
    .filter((group) => project.path_with_namespace.startsWith(`${group.full_path}/`))
    .map((group) => `group:${group.id}`);
}

function represent(label: FakeLabel) {
  return { id: label.id, name: label.name, color: label.color, text_color: '#FFFFFF', description: label.description };
}

function readColor(context: RouteContext, required: boolean): string | undefined {
  const color = readString(context.params, 'color');
  if (color === undefined && required) throw badRequest('color is missing');
  if (color !== undefined && !/^#[0-9a-fA-F]{6}$/.test(color)) throw new ApiError({ status: 400, body: { message: { color: ['must be a valid color code'] } } });
  return color;
}

export function listLabels(kind: Kind): RouteHandler {
  return (context) => {
    const page = paginate(context.store.labels.list(owner(context, kind)).map(represent), context.url, context.perPageMax);
    return { status: 200, body: page.items, headers: page.headers };
  };
}

export function getLabel(kind: Kind): RouteHandler {
  return (context) => {
    const ref = context.path['label_id'] ?? '';
    const owners = [owner(context, kind), ...(kind === 'project' ? ancestors(context) : [])];
    const label = owners.map((o) => context.store.labels.find(o, ref)).find((found) => found !== undefined);
    if (!label) throw notFound('Label');
    return { status: 200, body: represent(label) };
  };
}

export function createLabel(kind: Kind): RouteHandler {
  return (context) => {
    const name = readString(context.params, 'name');
    if (!name) throw badRequest('name is missing');
    const color = readColor(context, true)!;
    const key = owner(context, kind);
    if (context.store.labels.find(key, name)) throw new ApiError({ status: 409, body: { message: 'Label already exists' } });
    const label = context.store.labels.add(key, { name, color, description: readString(context.params, 'description') ?? null });
    return { status: 201, body: represent(label) };
  };
}

export function updateLabel(kind: Kind): RouteHandler {
  return (context) => {
    const label = context.store.labels.find(owner(context, kind), context.path['label_id'] ?? '');
    if (!label) throw notFound('Label');
    const color = readColor(context, false);
    const description = readString(context.params, 'description');
    if (color === undefined && description === undefined) throw badRequest('new_name, color, description, priority are missing, at least one parameter must be provided');
    if (color !== undefined) label.color = color;
    if (description !== undefined) label.description = description;
    return { status: 200, body: represent(label) };
  };
}

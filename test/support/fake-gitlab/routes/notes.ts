// `GET` and `POST …/notes` of merge requests and issues; a posted note may carry quick actions.

import { applyIssuableChange } from '../issuable-change.js';
import { paginate } from '../pagination.js';
import { readBoolean, readChoice, readString } from '../params.js';
import { extractQuickActions, planQuickActions } from '../quick-actions.js';
import { badRequest, validationFailed } from '../replies.js';
import { representNote } from '../representations.js';
import type { FakeNote } from '../types.js';
import { ApiError } from '../replies.js';
import { findNoteable, findNoteOn } from './lookups.js';
import { representationContext, type RouteHandler } from './route-context.js';

type NoteableType = FakeNote['noteable_type'];

/**
 * Newest first unless `sort=asc`, as GitLab lists notes. `order_by` may be `created_at` (the default)
 * or `updated_at`; notes are never edited here, so both give the same order.
 */
export function listNotes(type: NoteableType): RouteHandler {
  return (context) => {
    const sort = readChoice(context.params, 'sort', ['asc', 'desc'] as const) ?? 'desc';
    // Checked as GitLab checks it (another value answers 400), though it changes nothing here.
    readChoice(context.params, 'order_by', ['created_at', 'updated_at'] as const);
    const { project, found } = findNoteable(context, type);
    const oldestFirst = context.store.notes(project.id, type, found.record.iid).sort(byCreation);
    const notes = sort === 'asc' ? oldestFirst : oldestFirst.reverse();
    const page = paginate(notes, context.url, context.perPageMax);
    const representation = representationContext(context);
    return {
      status: 200,
      body: page.items.map((note) => representNote(note, found.id, representation)),
      headers: page.headers,
    };
  };
}

/**
 * Quick-action lines are run as the token's user and cut from the note. A note that was nothing
 * but quick actions is not stored: GitLab answers 202 with what the commands changed.
 */
export function createNote(type: NoteableType): RouteHandler {
  return (context) => {
    const body = readString(context.params, 'body');
    if (body === undefined) throw badRequest('body is missing');
    const internal = readBoolean(context.params, 'internal') ?? false;
    const { project, found } = findNoteable(context, type);
    const { store } = context;

    const { text, actions } = extractQuickActions(body);
    const plan = planQuickActions(actions, found.record, {
      author: store.botUser,
      user: (id) => store.user(id),
      userByUsername: (username) => store.userByUsername(username),
    });
    if (plan.executed > 0) applyIssuableChange(found.record, plan.change, store.now());
    if (text.trim() === '') {
      if (actions.length === 0) throw validationFailed('note', "can't be blank");
      return { status: 202, body: { commands_changes: plan.change, summary: plan.summary } };
    }

    const note = store.addNote({
      project_id: project.id,
      noteable_type: type,
      noteable_iid: found.record.iid,
      body: text,
      author_id: store.botUser.id,
      internal,
    });
    // A new note touches what it is on, so housekeeping by `updated_at` sees the activity.
    found.record.updated_at = note.created_at;
    return { status: 201, body: representNote(note, found.id, representationContext(context)) };
  };
}

function byCreation(a: FakeNote, b: FakeNote): number {
  return a.created_at.localeCompare(b.created_at) || a.id - b.id;
}

/**
 * `PUT …/notes/:note_id` with `body`: only the note's author may edit it (403 otherwise); an edit
 * sets `updated_at`.
 */
export function updateNote(type: NoteableType): RouteHandler {
  return (context) => {
    const body = readString(context.params, 'body');
    const { found, note } = findNoteOn(context, type);
    if (note.author_id !== context.store.botUser.id) throw new ApiError({ status: 403, body: { message: '403 Forbidden' } });
    if (body === undefined) throw badRequest('body is missing');
    if (body.trim() === '') throw validationFailed('note', "can't be blank");
    note.body = body;
    note.updated_at = context.store.now();
    return { status: 200, body: representNote(note, found.id, representationContext(context)) };
  };
}

// `GET` and `POST …/notes/:note_id/award_emoji` of merge requests and issues: emoji reactions on comments.
// https://docs.gitlab.com/api/emoji_reactions/#add-reactions-to-comments

import type { StoredAward } from '../awards.js';
import { paginate } from '../pagination.js';
import { readString } from '../params.js';
import { ApiError, badRequest } from '../replies.js';
import { representUser } from '../representations.js';
import type { FakeNote } from '../types.js';
import { findNoteOn } from './lookups.js';
import type { RouteContext, RouteHandler } from './route-context.js';

type NoteableType = FakeNote['noteable_type'];

export function listNoteAwards(type: NoteableType): RouteHandler {
  return (context) => {
    const { note } = findNoteOn(context, type);
    const page = paginate(context.store.awards.list(note.id), context.url, context.perPageMax);
    return { status: 200, body: page.items.map((award) => representAward(context, award)), headers: page.headers };
  };
}

/** The bot reacts; `+1`/`-1` are stored as `thumbsup`/`thumbsdown`. Emoji names are not checked. */
export function awardNoteEmoji(type: NoteableType): RouteHandler {
  return (context) => {
    const name = readString(context.params, 'name');
    if (name === undefined) throw badRequest('name is missing');
    const { note } = findNoteOn(context, type);
    const { store } = context;
    if (name.trim() === '') throw awardRefused("Name can't be blank");
    const award = store.awards.add(note.id, name, store.botUser.id, store.now());
    if (!award) throw awardRefused('Name has already been taken');
    return { status: 201, body: representAward(context, award) };
  };
}

// GitLab wraps the validation message in `not_found!("Award Emoji #{message}")`, hence the odd wording.
function awardRefused(message: string): ApiError {
  return new ApiError({ status: 404, body: { message: `404 Award Emoji ${message} Not Found` } });
}

function representAward({ store, baseUrl }: RouteContext, award: StoredAward) {
  const user = store.user(award.user_id);
  return {
    id: award.id,
    name: award.name,
    user: user ? representUser(user, baseUrl) : null,
    created_at: award.created_at,
    updated_at: award.created_at,
    awardable_id: award.note_id,
    awardable_type: 'Note',
  };
}

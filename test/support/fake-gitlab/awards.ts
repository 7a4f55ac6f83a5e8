// Emoji reactions (award emoji) on notes. A user can give each emoji only once per note.
// https://docs.gitlab.com/api/emoji_reactions/#add-reactions-to-comments

export interface StoredAward {
  id: number;
  name: string;
  user_id: number;
  note_id: number;
  created_at: string;
}

/** GitLab stores `+1` and `-1` under their canonical names. */
const ALIASES: Readonly<Record<string, string>> = { '+1': 'thumbsup', '-1': 'thumbsdown' };

export class Awards {
  private readonly byNote = new Map<number, StoredAward[]>();
  private nextId = 50_001;

  /** Award `name` (normalised) as `userId`; `undefined` when that user already gave it. */
  add(noteId: number, name: string, userId: number, now: string): StoredAward | undefined {
    const canonical = ALIASES[name] ?? name;
    const awards = this.byNote.get(noteId) ?? [];
    if (awards.some((award) => award.name === canonical && award.user_id === userId)) return undefined;
    const award: StoredAward = {
      id: this.nextId++,
      name: canonical,
      user_id: userId,
      note_id: noteId,
      created_at: now,
    };
    awards.push(award);
    this.byNote.set(noteId, awards);
    return award;
  }

  /** Awards on one note, oldest first. */
  list(noteId: number): StoredAward[] {
    return [...(this.byNote.get(noteId) ?? [])];
  }
}

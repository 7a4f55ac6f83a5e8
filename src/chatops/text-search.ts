// Searches in one text whose total work is bounded by the text's length, so that no note can make reading it slow.

/**
 * Searches in `text`. Every search counts what it looked at; once that passes 16 times the text's
 * length (plus 64 K), `exhausted` is true and the reader is to give up on the rest of the text.
 */
export class BoundedSearch {
  private work = 0;
  private readonly budget: number;
  /** The last answer per needle, for the next search from a later point: repeated searches share their work. */
  private readonly found = new Map<string, { from: number; at: number }>();

  constructor(readonly text: string) {
    this.budget = 16 * text.length + 65_536;
  }

  get exhausted(): boolean {
    return this.work > this.budget;
  }

  /** Counts `characters` more of work done by the caller. */
  spend(characters: number): void {
    this.work += characters;
  }

  /** Where `needle` next occurs from `from`, if it ends within `limit`. */
  find(needle: string, from: number, limit: number): number | undefined {
    const known = this.found.get(needle);
    let at: number;
    if (known && known.from <= from && (known.at === -1 || known.at >= from)) at = known.at;
    else {
      at = this.text.indexOf(needle, from);
      this.work += (at === -1 ? this.text.length : at) - from;
      this.found.set(needle, { from, at });
    }
    return at !== -1 && at + needle.length <= limit ? at : undefined;
  }
}

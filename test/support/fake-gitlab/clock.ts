// The fake GitLab's notion of "now": a given function (the real clock by default) or a pinned date.

export class Clock {
  private pinned: Date | undefined;

  constructor(private readonly source: () => Date = () => new Date()) {}

  /** Pin the clock to `date` until the next call; `undefined` goes back to the source clock. */
  set(date: Date | undefined): void {
    this.pinned = date === undefined ? undefined : new Date(date.getTime());
  }

  /** Now in milliseconds since the epoch. */
  ms(): number {
    return (this.pinned ?? this.source()).getTime();
  }

  /** Today as GitLab writes dates (`YYYY-MM-DD`, UTC). */
  today(): string {
    return this.iso().slice(0, 10);
  }

  /** Now as GitLab writes timestamps: ISO 8601 in UTC with milliseconds. */
  iso(): string {
    return (this.pinned ?? this.source()).toISOString();
  }
}

// Labels defined in projects and groups (not the labels on items, which are plain titles).

export interface FakeLabel {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export class LabelRegistry {
  private readonly byOwner = new Map<string, FakeLabel[]>();
  private nextId = 70_001;

  /** `owner` is `project:ID` or `group:ID`. */
  list(owner: string): FakeLabel[] {
    return this.byOwner.get(owner) ?? [];
  }

  add(owner: string, label: Omit<FakeLabel, 'id'>): FakeLabel {
    const stored = { ...label, id: this.nextId++ };
    this.byOwner.set(owner, [...this.list(owner), stored]);
    return stored;
  }

  /** By numeric id or by name, as GitLab's `:label_id` reads. */
  find(owner: string, ref: string): FakeLabel | undefined {
    return this.list(owner).find((label) => String(label.id) === ref || label.name === ref);
  }
}

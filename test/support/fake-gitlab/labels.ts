// Label arithmetic of GitLab issuables, including scoped labels (`scope::value`, one value per scope).
// https://docs.gitlab.com/user/project/labels/#scoped-labels

/** What one update asks of the labels; GitLab applies `labels`, then `add`, then `remove`. */
export interface LabelChange {
  labels?: string[];
  add?: string[];
  remove?: string[];
}

/** The scope of `a::b::c` is `a::b` (everything up to the last `::`); unscoped labels have none. */
export function labelScope(label: string): string | undefined {
  const end = label.lastIndexOf('::');
  return end > 0 ? label.slice(0, end) : undefined;
}

/** Add `label`, dropping any other label of the same scope. */
export function addLabel(current: readonly string[], label: string): string[] {
  if (current.includes(label)) return [...current];
  const scope = labelScope(label);
  const kept = scope === undefined ? current : current.filter((other) => labelScope(other) !== scope);
  return [...kept, label];
}

export function applyLabelChange(current: readonly string[], change: LabelChange): string[] {
  const base = change.labels ? change.labels.reduce<string[]>(addLabel, []) : [...current];
  const added = (change.add ?? []).reduce(addLabel, base);
  return added.filter((label) => !change.remove?.includes(label));
}

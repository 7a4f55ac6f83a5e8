// Text formatting for the benchmark report: aligned tables and numbers.

/** Lays out rows as columns separated by two spaces; the first column is left-aligned, the others right-aligned. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows.map((row) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** A count with thousands separators: 12,345. */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A duration given in ns, in µs with one decimal below 1 ms, in ms above. */
export function micros(ns: number): string {
  return ns < 1e6 ? `${(ns / 1000).toFixed(ns < 1e4 ? 2 : 1)} µs` : `${(ns / 1e6).toFixed(2)} ms`;
}

export function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}

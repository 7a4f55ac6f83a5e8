// A text's lines by offset: where each starts, which line holds an offset, and what shows of each once ranges are cut out.

export class LineIndex {
  readonly lines: string[];
  readonly starts: number[] = [];

  constructor(readonly text: string) {
    this.lines = text.split('\n');
    let offset = 0;
    for (const line of this.lines) {
      this.starts.push(offset);
      offset += line.length + 1;
    }
  }

  /** The offset just after line `i`'s last character. */
  end(i: number): number {
    return this.starts[i]! + this.lines[i]!.length;
  }

  /** The line holding `offset`; the number of lines for the text's end. */
  lineOf(offset: number): number {
    if (offset >= this.text.length) return this.lines.length;
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** For each line, where the first later line matching `stops` starts (the text's length if none). */
  nextStarts(stops: (line: string) => boolean): number[] {
    const ends = new Array<number>(this.lines.length);
    let end = this.text.length;
    for (let i = this.lines.length - 1; i >= 0; i--) {
      ends[i] = end;
      if (stops(this.lines[i]!)) end = this.starts[i]!;
    }
    return ends;
  }

  /**
   * Each line not in `skipped` whose start lies outside `cut` (ranges `[from, to)` of the text, by their start),
   * as written and without the parts inside `cut`.
   */
  without(cut: readonly (readonly [number, number])[], skipped: ReadonlySet<number>): { source: string; visible: string }[] {
    // Ranges come by their start, but one may hold another: merge them.
    const merged: [number, number][] = [];
    for (const [from, to] of cut) {
      const last = merged.at(-1);
      if (last && from <= last[1]) last[1] = Math.max(last[1], to);
      else merged.push([from, to]);
    }
    const lines: { source: string; visible: string }[] = [];
    let next = 0;
    for (const [i, source] of this.lines.entries()) {
      const start = this.starts[i]!;
      const end = start + source.length;
      while (next < merged.length && merged[next]![1] <= start) next++;
      if (skipped.has(i) || (merged[next] !== undefined && merged[next]![0] <= start)) continue;
      let visible = '';
      let at = start;
      for (let h = next; h < merged.length && merged[h]![0] < end; h++) {
        visible += this.text.slice(at, merged[h]![0]);
        at = Math.min(end, merged[h]![1]);
      }
      lines.push({ source, visible: visible + this.text.slice(at, end) });
    }
    return lines;
  }
}

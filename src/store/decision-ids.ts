// Where each decision record's row is, by the hash of its event id: a map kept in memory in place of an SQL index.
import type { SqlDriver } from './sql-tables.js';

/**
 * Event ids are random, so an SQL index of them puts each new entry on a random page of the index,
 * and every commit rewrites most of its pages: about a quarter of what storing a record cost. A
 * process that keeps the tables open for long (Node's server) keeps this map instead, read from the
 * rows once when opened (opening 50,000 records takes about 80 ms) and kept up to date as rows are written.
 *
 * Other processes may write to the same file (the command line puts dead letters back): rows with a
 * seq above the highest one known are read in by `catchUp`, which a write calls once it holds the
 * file's write lock, and a read before it looks anything up. New rows get their seq from here, so
 * that every row up to `known` is in the map. A seq found is only a hint: the caller checks the id.
 */
export class DecisionIds {
  private readonly seqs = new Map<number, number>();
  /** The highest seq written or read in. */
  private known = 0;

  constructor(private readonly sql: SqlDriver) {
    this.readRows(0);
  }

  /** The seq of the last row written with this hash (or one sharing its low bits), if it is known. */
  find(hash: number): number | undefined {
    return this.seqs.get(hash % 0x40000000);
  }

  /** The seq for the next row, remembered with its hash. */
  add(hash: number): number {
    this.remember(hash, ++this.known);
    return this.known;
  }

  /** Reads in the rows written since the map last looked; `newest`, the highest seq now, when the caller read it. */
  catchUp(newest = this.sql.all<{ seq: number | null }>('SELECT MAX(seq) AS seq FROM decision_rows')[0]?.seq ?? 0): void {
    if (newest > this.known) this.readRows(this.known);
  }

  /** Forgets the rows older than the oldest one left, after pruning: they come first in the map. */
  pruned(): void {
    const oldest = this.sql.all<{ seq: number | null }>('SELECT MIN(seq) AS seq FROM decision_rows')[0]?.seq ?? Number.POSITIVE_INFINITY;
    for (const [key, seq] of this.seqs) {
      if (seq >= oldest) break;
      this.seqs.delete(key);
    }
  }

  private readRows(after: number): void {
    for (const row of this.sql.all<{ seq: number; id_hash: number }>('SELECT seq, id_hash FROM decision_rows WHERE seq > ? ORDER BY seq', after)) {
      this.remember(row.id_hash, row.seq);
      this.known = row.seq;
    }
  }

  /**
   * Keyed by the hash's low 30 bits (a small integer: a map of them is several times cheaper than
   * one of doubles); kept in seq order, so that `pruned` stops at the first row left.
   */
  private remember(hash: number, seq: number): void {
    const key = hash % 0x40000000;
    this.seqs.delete(key);
    this.seqs.set(key, seq);
  }
}

// `*` wildcards matched without backtracking: the literal pieces between stars placed left to right.

/**
 * Whether `text` is `pieces` joined by runs of any characters (`pieces` is a pattern split on its stars,
 * so `a*b*c` is `['a', 'b', 'c']` and `*` is `['', '']`). Each middle piece is placed as early as it can
 * be after the previous one, which is never worse than any other placement: time is linear in the text
 * for a given pattern, whatever the number of stars.
 */
export function matchPieces(pieces: readonly string[], text: string): boolean {
  if (pieces.length === 1) return text === pieces[0];
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  const end = text.length - last.length;
  let at = first.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    if (piece === '') continue;
    const found = text.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

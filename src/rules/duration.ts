// Durations in rule files: `30d`, `12h`, `2w`, `45m`.

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export const DURATION_PATTERN = /^(\d+)\s*(m|h|d|w)$/;

/** Milliseconds in a duration such as `30d`; undefined if it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/**
 * A duration in the rule files' notation: exact in the largest unit that divides it (`30d`, `2w`),
 * otherwise rounded down (`3d` for three and a half days, `5h`, `12m`).
 */
export function formatDuration(ms: number): string {
  if (ms > 0 && ms % UNIT_MS.w === 0) return `${ms / UNIT_MS.w}w`;
  if (ms >= UNIT_MS.d && (ms % UNIT_MS.d === 0 || ms >= 2 * UNIT_MS.d)) return `${Math.floor(ms / UNIT_MS.d)}d`;
  if (ms >= UNIT_MS.h && (ms % UNIT_MS.h === 0 || ms >= 2 * UNIT_MS.h)) return `${Math.floor(ms / UNIT_MS.h)}h`;
  return `${Math.floor(ms / UNIT_MS.m)}m`;
}

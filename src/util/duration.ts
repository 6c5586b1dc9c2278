// Durations as fyr writes them, in the site file and on fyr-agent's command line: a whole
// number and one unit, m, h or d ("90m", "6h", "30d"). The site schema's pattern is this one.
export const DURATION_RE = '^([1-9][0-9]{0,3})([mhd])$';

const DURATION = new RegExp(DURATION_RE);
const SECONDS_PER_UNIT: Record<string, number> = { m: 60, h: 3600, d: 86_400 };

// Seconds in a duration text; undefined for anything else.
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * SECONDS_PER_UNIT[match[2]!]!;
}

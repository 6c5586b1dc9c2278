// Durations as the site file writes them: a whole number and one unit, m, h or d ("90m", "6h").
import { DURATION_RE } from './schema-defs.js';

const DURATION = new RegExp(DURATION_RE);
const SECONDS_PER_UNIT: Record<string, number> = { m: 60, h: 3600, d: 86_400 };

// Seconds in a duration text; undefined for anything the schema's duration pattern rejects.
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * SECONDS_PER_UNIT[match[2]!]!;
}

// The same for text already checked against the pattern (validated input, fyr's own bounds).
export function durationSeconds(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  return seconds;
}

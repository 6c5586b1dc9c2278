// Durations as the site file writes them (the parser is util/duration.ts, shared with the agent).
import { parseDuration } from '../util/duration.js';

export { parseDuration };

// Seconds in a duration text already checked against the pattern (validated input, fyr's own bounds).
export function durationSeconds(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new Error(`not a duration: ${JSON.stringify(text)}`);
  return seconds;
}

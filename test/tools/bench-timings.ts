// make bench's reading of FYR_TIMINGS=1 (printed by dist/cli/main.js on stderr at exit): the
// parts of one fyr run, for the figures' "where the time goes" lines.

import { writeFileSync } from 'node:fs';

export interface Timings {
  // Each part that ended at `at` ms since the process started, and how long it took.
  parts: Array<{ at: number; ms: number; label: string }>;
  // Work spread over the run (the payload copy's threads), summed.
  totals: Array<{ ms: number; label: string }>;
}

export function parseTimings(stderr: string): Timings {
  const parts: Timings['parts'] = [];
  const totals: Timings['totals'] = [];
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => l.startsWith('fyr timings'));
  if (start < 0) return { parts, totals };
  let inTotals = false;
  for (const line of lines.slice(start + 1)) {
    if (line.includes('spread over the run')) {
      inTotals = true;
      continue;
    }
    const part = /^\s*(\d+)\s+(\d+)\s{2}(.+)$/.exec(line);
    const total = /^\s+(\d+)\s{2}(.+)$/.exec(line);
    if (!inTotals && part) parts.push({ at: Number(part[1]), ms: Number(part[2]), label: part[3]! });
    else if (inTotals && total) totals.push({ ms: Number(total[1]), label: total[2]! });
  }
  return { parts, totals };
}

// The parts as indented lines, in seconds, with the totals after them.
export function timingLines(t: Timings, indent = '    '): string[] {
  const s = (ms: number) => (ms / 1000).toFixed(2).padStart(6);
  return [
    ...t.parts.map((p) => `${indent}${s(p.ms)} s  ${p.label}`),
    ...(t.totals.length > 0 ? [`${indent}spread over the copy (totals, other threads overlap them):`] : []),
    ...t.totals.map((p) => `${indent}  ${s(p.ms)} s  ${p.label}`),
  ];
}

// The time of the parts whose label matches.
export const partMs = (t: Timings, match: RegExp): number =>
  t.parts.filter((p) => match.test(p.label)).reduce((n, p) => n + p.ms, 0);

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const best = (xs: readonly number[]): number => Math.min(...xs);

// The machine's load, to read the figures by (two cores shared with other work).
export async function loadAverage(): Promise<string> {
  const { readFileSync } = await import('node:fs');
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

// The page cache, dentries and inodes dropped (root only): false where it cannot be.
export function dropCaches(): boolean {
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

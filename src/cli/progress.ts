// Progress for long work: a bar redrawn in place on a terminal, otherwise a plain line at most
// every few seconds (CI logs stay short and readable).
import type { OnProgress } from '../util/progress.js';
import type { Io } from './io.js';

export interface Progress {
  update(label: string, fraction: number): void;
  note(text: string): void;
  done(): void;
}

const WIDTH = 30;

export function bar(fraction: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * WIDTH);
  return `[${'#'.repeat(full)}${'.'.repeat(WIDTH - full)}] ${(f * 100).toFixed(0).padStart(3)}%`;
}

export function makeProgress(
  io: Io,
  options: { quiet?: boolean; now?: () => number; intervalMs?: number } = {},
): Progress {
  const now = options.now ?? (() => Date.now());
  const interval = options.intervalMs ?? 5000;
  let drawn = false;
  let lastLine = -Infinity;
  let lastLabel = '';
  const clear = () => {
    if (drawn) io.stderr('\r\x1b[K');
    drawn = false;
  };
  if (options.quiet) return { update() {}, note() {}, done() {} };
  return {
    update(label, fraction) {
      if (io.stderrIsTTY) {
        io.stderr(`\r\x1b[K${bar(fraction)} ${label}`);
        drawn = true;
        return;
      }
      const t = now();
      if (label !== lastLabel || t - lastLine >= interval || fraction >= 1) {
        io.stderr(`${label}: ${(Math.max(0, Math.min(1, fraction)) * 100).toFixed(0)}%\n`);
        lastLine = t;
        lastLabel = label;
      }
    },
    note(text) {
      clear();
      io.stderr(`${text}\n`);
    },
    done() {
      clear();
    },
  };
}

// A long operation's events on this bar: measured phases under the label for their phase, steps
// as notes.
export function follow(progress: Progress, label: (phase: string) => string): OnProgress {
  return (e) => {
    if (e.total !== undefined) progress.update(label(e.phase), e.total === 0 ? 1 : (e.done ?? 0) / e.total);
    else if (e.message !== undefined) progress.note(e.message);
  };
}

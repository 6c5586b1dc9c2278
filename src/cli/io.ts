// The terminal as the CLI sees it: injected, so tests capture output without touching process.
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  // Whether each stream may carry ANSI colour (a TTY, and NO_COLOR unset).
  color: { stdout: boolean; stderr: boolean };
  env: Readonly<Record<string, string | undefined>>;
  // stderr is a terminal: long work draws a progress bar there instead of periodic lines.
  stderrIsTTY?: boolean;
  // Aborted on Ctrl-C (SIGINT) or SIGTERM, so long work stops and cleans up.
  signal?: AbortSignal;
  // Asks a yes/no question on the terminal; absent when stdin is not a terminal.
  confirm?: (question: string) => Promise<boolean>;
}

// https://no-color.org: any non-empty NO_COLOR disables colour; FORCE_COLOR enables it.
export function wantsColor(env: Io['env'], isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return isTTY && env.TERM !== 'dumb';
}

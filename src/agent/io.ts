// Where a fyr-agent subcommand prints: main.ts gives stdout and stderr, tests a buffer.
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

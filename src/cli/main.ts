#!/usr/bin/env node
// The fyr executable: wires the real process to run() and sets the exit code.
import type { Io } from './io.js';

// The handlers come first, before the commands' modules load (half a second on a busy
// machine): a Ctrl-C at any moment reaches the command, which stops and cleans up. The first
// asks the running command to stop; a second one ends at once.
const stop = new AbortController();
const interrupt = (why: string): boolean => {
  if (stop.signal.aborted) return false;
  stop.abort(new Error(why));
  return true;
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!interrupt(`stopped by ${signal}`)) process.exit(130);
  });
}

// A closed pipe (fyr ... | head) stops the command the same way, so its temporary files go
// too; nothing more is written to that stream.
const closed = { stdout: false, stderr: false };
for (const name of ['stdout', 'stderr'] as const) {
  process[name].on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed[name] = true;
    interrupt(`stopped: its ${name} was closed`);
  });
}

const { createInterface } = await import('node:readline/promises');
const { run } = await import('./run.js');
const { wantsColor } = await import('./io.js');

const io: Io = {
  stdout: (text) => void (closed.stdout || process.stdout.write(text)),
  stderr: (text) => void (closed.stderr || process.stderr.write(text)),
  color: {
    stdout: wantsColor(process.env, process.stdout.isTTY === true),
    stderr: wantsColor(process.env, process.stderr.isTTY === true),
  },
  env: process.env,
  stderrIsTTY: process.stderr.isTTY === true,
  signal: stop.signal,
  ...(process.stdin.isTTY
    ? {
        confirm: async (question: string) => {
          const rl = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
          } finally {
            rl.close();
          }
        },
      }
    : {}),
};

process.exitCode = await run(process.argv.slice(2), io);

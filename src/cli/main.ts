#!/usr/bin/env node
// The fyr executable: wires the real process to run() and sets the exit code.
import { createInterface } from 'node:readline/promises';
import { run } from './run.js';
import { wantsColor, type Io } from './io.js';

// A closed pipe (fyr ... | head) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// The first Ctrl-C asks the running command to stop and clean up; a second one ends at once.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort(new Error(`stopped by ${signal}`));
  });
}

const io: Io = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
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

#!/usr/bin/env node
// The fyr executable: wires the real process to run() and sets the exit code.
import { run } from './run.js';
import { wantsColor, type Io } from './io.js';

// A closed pipe (fyr ... | head) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const io: Io = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  color: { stdout: wantsColor(process.env, process.stdout.isTTY === true), stderr: wantsColor(process.env, process.stderr.isTTY === true) },
  env: process.env,
};

process.exitCode = await run(process.argv.slice(2), io);

#!/usr/bin/env node
// The fyr executable: wires the real process to the command it runs and sets the exit code.
import type { CommandSpec } from './command.js';
import type { Io } from './io.js';

// FYR_TIMINGS=1: where the time went, on stderr at exit (printTimings). Node's own start-up is
// what passed before this line.
performance.mark('fyr: node start-up');
if (process.env.FYR_TIMINGS === '1') process.on('exit', printTimings);

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

// Only the command being run is loaded: fyr build needs neither the release writer nor the
// composer client nor the registry (a third of a second on a busy two-core machine, before the
// first byte is copied). Help, no command or a misspelt one load them all (run.ts).
const ONE: Record<string, () => Promise<CommandSpec>> = {
  validate: async () => (await import('./commands/validate.js')).validateCommand,
  render: async () => (await import('./commands/render.js')).renderCommand,
  compose: async () => (await import('./commands/compose.js')).composeCommand,
  'composer-proxy': async () => (await import('./commands/composer-proxy.js')).composerProxyCommand,
  content: async () => (await import('./commands/content.js')).contentCommand,
  release: async () => (await import('./commands/release.js')).releaseCommand,
  build: async () => (await import('./commands/build.js')).buildCommand,
  customize: async () => (await import('./commands/customize.js')).customizeCommand,
  inspect: async () => (await import('./commands/inspect.js')).inspectCommand,
  flash: async () => (await import('./commands/flash.js')).flashCommand,
  init: async () => (await import('./commands/init.js')).initCommand,
  schema: async () => (await import('./commands/schema.js')).schemaCommand,
};
const argv = process.argv.slice(2);
const name = argv[0] ?? '';
const one = Object.hasOwn(ONE, name) ? await ONE[name]!() : undefined;
const { runCommands, VERSION_ARGS } = await import('./dispatch.js');
// A table entry that names another command's module falls back to all of them. The version
// needs no command (often a CI job's first line: 0.19 s instead of 0.45 s, measured).
const commands = one?.name === name ? [one] : VERSION_ARGS.has(name) ? [] : (await import('./run.js')).COMMANDS;
const { createInterface } = await import('node:readline/promises');
const { wantsColor } = await import('./io.js');
performance.mark('fyr: modules loaded');

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

process.exitCode = await runCommands(commands, argv, io);

// Each fyr mark (performance.mark('fyr: ...'), placed through the code) names the part that
// ended there: its time since the process started and since the mark before. Then totals of
// work spread over the run (performance.measure('fyr: ...')). On stderr, at exit.
function printTimings(): void {
  const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('fyr: '));
  const totals = performance.getEntriesByType('measure').filter((m) => m.name.startsWith('fyr: '));
  const ms = (n: number) => n.toFixed(0).padStart(6);
  const lines = ['fyr timings (FYR_TIMINGS=1), ms: at, part'];
  let last = 0;
  for (const m of marks) {
    lines.push(`${ms(m.startTime)} ${ms(m.startTime - last)}  ${m.name.slice(5)}`);
    last = m.startTime;
  }
  if (totals.length > 0) lines.push('  spread over the run (totals, ms):');
  for (const t of totals) lines.push(`       ${ms(t.duration)}  ${t.name.slice(5)}`);
  process.stderr.write(`${lines.join('\n')}\n`);
}

// Shared by the test doubles in test/doubles/bin: each records its argv in $FYR_DOUBLES_DIR/calls.log
// (one JSON array per line) and, when the test listed its command line in $FYR_DOUBLES_DIR/kill,
// kills its caller (the agent) with SIGKILL right after doing its work: a crash between a side
// effect and the agent's record of it, the worst moment.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const dir = process.env.FYR_DOUBLES_DIR;
if (!dir) {
  process.stderr.write('test double: FYR_DOUBLES_DIR is not set\n');
  process.exit(2);
}

export const args = process.argv.slice(2);

export function record(name) {
  appendFileSync(join(dir, 'calls.log'), `${JSON.stringify([name, ...args])}\n`);
}

// Kills `pid` (default: the caller) when `key` starts with a line of the kill list; each line
// fires once.
export function crashPoint(key, pid = process.ppid) {
  const file = join(dir, 'kill');
  if (!existsSync(file)) return;
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const i = lines.findIndex((l) => key.startsWith(l));
  if (i < 0) return;
  lines.splice(i, 1);
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  appendFileSync(join(dir, 'kills.log'), `${key}\n`);
  process.kill(pid, 'SIGKILL');
}

export function readState(name, fallback) {
  const file = join(dir, `state-${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : fallback;
}

export function writeState(name, value) {
  writeFileSync(join(dir, `state-${name}.json`), JSON.stringify(value, null, 2));
}

export function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

export function option(name) {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

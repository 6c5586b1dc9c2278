// Fake programs for runner tests, as execa's tests do: tiny shell scripts in a temporary
// directory put first on PATH. Each prints what it is told and exits with the code given.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FakeProgram {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  // Sleep this long first (for timeouts and cancellation).
  sleepSeconds?: number;
}

const sh = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

export async function writeFakeBin(dir: string, programs: Record<string, FakeProgram>): Promise<string> {
  for (const [name, p] of Object.entries(programs)) {
    const lines = ['#!/bin/sh'];
    // exec: a signal for the program reaches sleep itself, whose open pipes would otherwise
    // keep the runner waiting until it ends.
    if (p.sleepSeconds) lines.push(`${p.stdout || p.stderr || p.exitCode ? '' : 'exec '}sleep ${p.sleepSeconds}`);
    if (p.stdout) lines.push(`printf '%s' ${sh(p.stdout)}`);
    if (p.stderr) lines.push(`printf '%s' ${sh(p.stderr)} >&2`);
    lines.push(`exit ${p.exitCode ?? 0}`);
    const file = join(dir, name);
    await writeFile(file, `${lines.join('\n')}\n`);
    await chmod(file, 0o755);
  }
  return dir;
}

// PATH with the fakes first and the system's programs (sh, sleep) after them.
export const fakePath = (dir: string) => `${dir}:/usr/bin:/bin`;

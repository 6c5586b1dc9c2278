// Runs the CLI in-process with captured output, and the built executable as a real process.
import { execa } from 'execa';
import { run } from '../../src/cli/run.js';
import type { Io } from '../../src/cli/io.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

// An example unlock code for tests that seal (never a real site's).
export const UNLOCK_CODE_FILE = 'test/fixtures/unlock-code.txt';
export const UNLOCK = ['--unlock-code-file', UNLOCK_CODE_FILE];

// tty: stderr is a terminal (where a new unlock code may be shown).
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined> = {},
  options: { tty?: boolean } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    color: { stdout: false, stderr: false },
    env,
    ...(options.tty ? { stderrIsTTY: true } : {}),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

// The compiled fyr (make test builds dist/ first), as a user or CI would run it.
export async function spawnCli(argv: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await execa('node', ['dist/cli/main.js', ...argv], { reject: false, env: { NO_COLOR: '1', ...env } });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

// A stack frame line as Node prints it.
export const STACK_FRAME = /^\s+at .+[(:]\d+/m;

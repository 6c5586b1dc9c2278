// Runs the programs the ISO work needs (xorriso, mtools). The only importer of execa: argument
// arrays only, a clean environment for stable output, and failures turned into fyr's errors
// that name the missing package or show the program's last words.
import { execa } from 'execa';
import { FyrError } from '../errors.js';

const PACKAGES: Record<string, string> = { xorriso: 'xorriso', osirrox: 'xorriso', mtype: 'mtools', mcopy: 'mtools', mdir: 'mtools', lsblk: 'util-linux', blockdev: 'util-linux' };

export interface RunOptions {
  env?: Record<string, string>;
  cancelSignal?: AbortSignal;
}

// LANG=C: fyr parses xorriso's messages; the rest keeps PATH and HOME for the tools.
function environment(extra: Record<string, string> = {}): Record<string, string> {
  return { LANG: 'C', LC_ALL: 'C', MTOOLS_SKIP_CHECK: '1', ...extra };
}

function lastLines(text: string, count = 6): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).slice(-count);
}

export function toolError(file: string, err: unknown): FyrError {
  const e = err as { code?: string; isCanceled?: boolean; stderr?: unknown; stdout?: unknown; exitCode?: number; signal?: string; message?: string };
  if (e.code === 'ENOENT') {
    return new FyrError('TOOL_MISSING', `${file} is not installed`, { details: [`Install the ${PACKAGES[file] ?? file} package (make deps does it on Debian and RHEL).`], cause: err });
  }
  if (e.isCanceled) return new FyrError('INTERRUPTED', `${file} was stopped`, { cause: err });
  const output = `${typeof e.stdout === 'string' ? e.stdout : ''}\n${typeof e.stderr === 'string' ? e.stderr : ''}`;
  const why = e.exitCode !== undefined ? `exit code ${e.exitCode}` : e.signal ? `signal ${e.signal}` : (e.message ?? 'failed');
  return new FyrError('TOOL_FAILED', `${file} failed (${why})`, { details: lastLines(output), cause: err });
}

export async function runTool(file: string, args: readonly string[], options: RunOptions = {}): Promise<{ stdout: string; stderr: string }> {
  try {
    const result = await execa(file, args, { env: environment(options.env), extendEnv: true, stripFinalNewline: false, ...(options.cancelSignal ? { cancelSignal: options.cancelSignal } : {}) });
    return { stdout: result.stdout, stderr: result.stderr };
  } catch (err) {
    throw toolError(file, err);
  }
}

export async function runToolBinary(file: string, args: readonly string[]): Promise<Buffer> {
  try {
    const result = await execa(file, args, { env: environment(), extendEnv: true, encoding: 'buffer', stripFinalNewline: false });
    return Buffer.from(result.stdout);
  } catch (err) {
    throw toolError(file, err);
  }
}

export interface RunningTool {
  // Its stdout and stderr, line by line, as they come.
  lines: AsyncIterable<string>;
  done: Promise<void>;
}

// Starts a long-running program whose messages are read as they come (xorriso's progress).
export function startTool(file: string, args: readonly string[], options: RunOptions = {}): RunningTool {
  const child = execa(file, args, {
    env: environment(options.env),
    extendEnv: true,
    stdin: 'ignore',
    buffer: false,
    lines: true,
    all: true,
    ...(options.cancelSignal ? { cancelSignal: options.cancelSignal } : {}),
  });
  const tail: string[] = [];
  const lines = (async function* () {
    for await (const line of child.iterable({ from: 'all' })) {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      yield line;
    }
  })();
  const done = (async () => {
    try {
      await child;
    } catch (err) {
      const e = err as { stdout?: unknown; stderr?: unknown };
      e.stdout = tail.join('\n');
      e.stderr = '';
      throw toolError(file, err);
    }
  })();
  return { lines, done };
}

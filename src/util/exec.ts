// The one process runner: every program fyr and its agent run goes through here, with an
// argument array (never a shell) and the C locale, so messages parse the same everywhere. A
// failure is a ProcessError that says what ran (quoted, secrets masked), how it ended (exit
// code, signal, timeout, cancelled, not installed) and the last lines it printed. The ISO
// side maps it to TOOL_MISSING/TOOL_FAILED (tools.ts), the agent to its CommandError.
import { execa } from 'execa';

export interface RunOptions {
  env?: Record<string, string>;
  // Names left out of the child's environment (which is fyr's, plus env).
  unsetEnv?: readonly string[];
  input?: string;
  cwd?: string;
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
  // Values to mask if a program echoes them back, and in the command shown.
  secrets?: readonly string[];
  // Exit codes that are answers, not failures (e.g. `virsh dominfo` of a missing domain).
  okCodes?: readonly number[];
  // run: stdout streamed into this file (bytes, any size) instead of returned.
  stdoutFile?: string;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const TAIL_LINES = 8;

export class ProcessError extends Error {
  constructor(
    readonly file: string,
    // The argv, quoted for a reader, secrets masked.
    readonly command: string,
    readonly how: { exitCode?: number; signal?: string; missing?: boolean; timedOut?: boolean; canceled?: boolean },
    // The last non-empty lines it printed (stderr, or stdout when stderr is empty), masked.
    readonly tail: readonly string[],
  ) {
    super(describe(file, how, tail));
  }
}
ProcessError.prototype.name = 'ProcessError';

function describe(file: string, how: ProcessError['how'], tail: readonly string[]): string {
  if (how.missing) return `${file} is not installed`;
  if (how.canceled) return `${file} was stopped`;
  if (how.timedOut) return `${file} did not finish in time`;
  const why = how.exitCode !== undefined ? `exited with ${how.exitCode}` : `was killed by ${how.signal ?? 'a signal'}`;
  return `${file} ${why}${tail.length > 0 ? `: ${tail.join('\n')}` : ''}`;
}

export function mask(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

// The command as a reader would type it: words quoted for a POSIX shell where needed.
export function showCommand(file: string, args: readonly string[], secrets: readonly string[] = []): string {
  return mask(
    [file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' '),
    secrets,
  );
}

const lastLines = (text: string, secrets: readonly string[] | undefined) =>
  mask(text, secrets)
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-TAIL_LINES);

type Ended = {
  exitCode?: number | undefined;
  signal?: string | undefined;
  failed: boolean;
  timedOut: boolean;
  isCanceled: boolean;
  cause?: unknown;
};

function failure(
  file: string,
  args: readonly string[],
  result: Ended,
  stdout: string,
  stderr: string,
  options: RunOptions,
): ProcessError | undefined {
  const okCodes = options.okCodes ?? [];
  if (
    !result.failed ||
    (result.exitCode !== undefined && okCodes.includes(result.exitCode) && !result.timedOut && !result.isCanceled)
  )
    return undefined;
  const missing =
    (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' && result.exitCode === undefined;
  const how = {
    ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
    ...(result.signal ? { signal: result.signal } : {}),
    ...(missing ? { missing } : {}),
    ...(result.timedOut ? { timedOut: true } : {}),
    ...(result.isCanceled ? { canceled: true } : {}),
  };
  const said = lastLines(stderr, options.secrets);
  return new ProcessError(
    file,
    showCommand(file, args, options.secrets),
    how,
    said.length > 0 ? said : lastLines(stdout, options.secrets),
  );
}

function common(options: RunOptions) {
  return {
    reject: false,
    env: { LC_ALL: 'C', ...options.env, ...Object.fromEntries((options.unsetEnv ?? []).map((n) => [n, undefined])) },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  } as const;
}

// Runs a program to its end; throws a ProcessError unless it exits 0 or with one of okCodes.
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await execa(file, args, {
    ...common(options),
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.stdoutFile === undefined ? {} : { stdout: { file: options.stdoutFile } }),
    stripFinalNewline: false,
  });
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  const error = failure(file, args, result, stdout, stderr, options);
  if (error) throw error;
  return { exitCode: result.exitCode ?? 0, stdout, stderr };
}

// As run, with stdout as bytes (a file read out of an image).
export async function runBinary(file: string, args: readonly string[], options: RunOptions = {}): Promise<Buffer> {
  const result = await execa(file, args, {
    ...common(options),
    stdin: 'ignore',
    encoding: 'buffer',
    stripFinalNewline: false,
  });
  const stdout = Buffer.from(result.stdout ?? new Uint8Array());
  const error = failure(
    file,
    args,
    result,
    '',
    Buffer.from(result.stderr ?? new Uint8Array()).toString('utf8'),
    options,
  );
  if (error) throw error;
  return stdout;
}

export interface Running {
  // Its stdout and stderr, line by line, as they come.
  lines: AsyncIterable<string>;
  // Settles when it has ended: rejects with a ProcessError whose tail is its last lines.
  done: Promise<void>;
}

// Starts a long-running program whose messages are read as they come (xorriso's progress).
export function start(file: string, args: readonly string[], options: RunOptions = {}): Running {
  const child = execa(file, args, { ...common(options), stdin: 'ignore', buffer: false, lines: true, all: true });
  const tail: string[] = [];
  const lines = (async function* () {
    for await (const line of child.iterable({ from: 'all' })) {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      yield String(line);
    }
  })();
  const done = (async () => {
    const result = await child;
    const error = failure(file, args, result, '', tail.join('\n'), options);
    if (error) throw error;
  })();
  return { lines, done };
}

// Runs the bastion's programs (systemctl, ipmitool, openshift-install, oc, virsh, podman,
// openssl) for the agent. The agent's only importer of execa: argument arrays, never a shell;
// secrets go in through the environment or stdin, and are masked in every message.
import { execa } from 'execa';

export interface ExecOptions {
  env?: Record<string, string>;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
  // Values to mask if a program echoes them back in its output.
  secrets?: readonly string[];
  // Exit codes that are answers, not failures (e.g. `virsh dominfo` of a missing domain).
  okCodes?: readonly number[];
  signal?: AbortSignal;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    message: string,
    // The argv, quoted for a reader, secrets masked.
    readonly command: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
CommandError.prototype.name = 'CommandError';

export function mask(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

export function showCommand(file: string, args: readonly string[], secrets: readonly string[] = []): string {
  return mask([file, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' '), secrets);
}

const tail = (text: string, lines = 8): string => text.trimEnd().split('\n').slice(-lines).join('\n');

export type Exec = (file: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

export const exec: Exec = async (file, args, options = {}) => {
  const command = showCommand(file, args, options.secrets);
  const result = await execa(file, args, {
    reject: false,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    ...(options.input === undefined ? {} : { input: options.input }),
    env: { LC_ALL: 'C', ...options.env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    stripFinalNewline: false,
  });
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  if (result.failed && result.exitCode === undefined) {
    const missing = (result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    const why = missing ? `${file} is not installed` : result.timedOut ? `${file} did not finish in ${options.timeoutMs} ms` : result.isCanceled ? `${file} was stopped` : mask(result.shortMessage ?? String(result.message), options.secrets);
    throw new CommandError(why, command, !missing);
  }
  const exitCode = result.exitCode ?? 1;
  if (exitCode !== 0 && !(options.okCodes ?? []).includes(exitCode)) {
    const said = tail(mask(stderr || stdout, options.secrets));
    throw new CommandError(`${file} exited with ${exitCode}${said ? `: ${said}` : ''}`, command, true);
  }
  return { exitCode, stdout, stderr };
};

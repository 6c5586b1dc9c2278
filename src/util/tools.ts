// The programs the ISO work runs (xorriso, mtools, lsblk), through the one process runner, with
// its failures as fyr's errors: TOOL_MISSING names the package to install, TOOL_FAILED shows the
// command fyr ran and the program's last words, INTERRUPTED when a signal stopped it.
import { basename } from 'node:path';
import { FyrError } from '../errors.js';
import { ProcessError, run, runBinary, start, type RunOptions, type Running } from './exec.js';

const PACKAGES: Record<string, string> = {
  xorriso: 'xorriso',
  osirrox: 'xorriso',
  mtype: 'mtools',
  mcopy: 'mtools',
  mdir: 'mtools',
  lsblk: 'util-linux',
  blockdev: 'util-linux',
  skopeo: 'skopeo',
  gpg: 'gnupg (gnupg2 on RHEL)',
  'docker-registry': 'docker-registry (Debian) or distribution registry',
};
// Programs that come from no distribution package.
const HOW_TO_INSTALL: Record<string, string> = {
  oc: 'Install oc: the openshift-client-linux tarball from https://mirror.openshift.com/pub/openshift-v4/x86_64/clients/ocp/stable/ (or the openshift-clients RPM), on PATH.',
  'oc-mirror':
    'Install oc-mirror: the oc-mirror tarball from https://mirror.openshift.com/pub/openshift-v4/x86_64/clients/ocp/stable/, on PATH.',
};

// LANG=C: fyr parses xorriso's messages; mtools must not refuse an image it cannot check.
const ENV = { LANG: 'C', MTOOLS_SKIP_CHECK: '1' };

export function toolError(err: unknown): unknown {
  if (!(err instanceof ProcessError)) return err;
  if (err.how.missing) {
    return new FyrError('TOOL_MISSING', `${err.file} is not installed`, {
      details: [
        HOW_TO_INSTALL[basename(err.file)] ??
          `Install the ${PACKAGES[basename(err.file)] ?? err.file} package (make deps does it on Debian and RHEL).`,
      ],
      cause: err,
    });
  }
  if (err.how.canceled) return new FyrError('INTERRUPTED', `${err.file} was stopped`, { cause: err });
  const why =
    err.how.exitCode !== undefined
      ? `exit code ${err.how.exitCode}`
      : err.how.timedOut
        ? 'timed out'
        : `signal ${err.how.signal ?? 'unknown'}`;
  return new FyrError('TOOL_FAILED', `${err.file} failed (${why})`, {
    details: [`command: ${err.command}`, ...err.tail],
    cause: err,
  });
}

const withEnv = (options: RunOptions): RunOptions => ({ ...options, env: { ...ENV, ...options.env } });

export async function runTool(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(file, args, withEnv(options));
    return { stdout, stderr };
  } catch (err) {
    throw toolError(err);
  }
}

export async function runToolBinary(file: string, args: readonly string[], options: RunOptions = {}): Promise<Buffer> {
  return runBinary(file, args, withEnv(options)).catch((err: unknown) => {
    throw toolError(err);
  });
}

// A long-running program read line by line; `done` rejects with fyr's error.
export function startTool(file: string, args: readonly string[], options: RunOptions = {}): Running {
  const running = start(file, args, withEnv(options));
  return {
    lines: running.lines,
    done: running.done.catch((err: unknown) => {
      throw toolError(err);
    }),
  };
}

// Runs the bastion's programs (systemctl, ipmitool, openshift-install, oc, virsh, podman,
// openssl) for the agent, through fyr's one process runner (util/exec.ts): argument arrays,
// never a shell; secrets go in through the environment or stdin, and are masked in every
// message. Failures become CommandError, which the phase runner records and may retry.
import { ProcessError, run, type RunOptions, type RunResult } from '../util/exec.js';

export type ExecOptions = RunOptions;
export type ExecResult = RunResult;

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

export type Exec = (file: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

export const exec: Exec = async (file, args, options = {}) => {
  try {
    return await run(file, args, options);
  } catch (err) {
    if (!(err instanceof ProcessError)) throw err;
    // A missing program stays missing; anything else may go better next time.
    const message = err.how.timedOut ? `${file} did not finish in ${options.timeoutMs} ms` : err.message;
    throw new CommandError(message, err.command, !err.how.missing);
  }
};

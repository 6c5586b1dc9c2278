// fyr-agent backup, shutdown and power-on: the running keeper does the operation (one at a
// time); its progress is printed here as it goes, and its outcome decides the exit code.
import { parseDuration } from '../../util/duration.js';
import type { Io } from '../io.js';
import type { OperationKind, OperationOptions } from './records.js';
import { requestOperation } from './requests.js';

export async function askKeeper(
  socket: string,
  kind: OperationKind,
  options: OperationOptions,
  io: Io,
): Promise<number> {
  try {
    const outcome = await requestOperation(socket, kind, (line) => io.err(`${kind}: ${line}\n`), options);
    if (outcome.status === 'done') {
      io.out(`fyr-agent: ${outcome.summary ?? `${kind} done`}\n`);
      return 0;
    }
    io.err(
      `fyr-agent: ${outcome.status === 'skipped' ? `no ${kind} now` : `the ${kind} failed`}: ${outcome.error ?? 'no reason given'}\n`,
    );
    return 1;
  } catch (err) {
    io.err(`fyr-agent: ${(err as Error).message}\n`);
    return 1;
  }
}

// The subcommand's flags as the operation's options; a --for that is no duration is a usage error.
export async function keeperCommand(
  socket: string,
  kind: 'backup' | 'shutdown' | 'power-on',
  v: { for?: string; force?: boolean; bastion?: boolean },
  io: Io,
): Promise<number> {
  if (kind !== 'shutdown') return askKeeper(socket, kind, {}, io);
  if (v.for !== undefined && parseDuration(v.for) === undefined) {
    io.err(`fyr-agent: --for wants a duration such as 12h, 7d or 90d, not "${v.for}"\n`);
    return 2;
  }
  return askKeeper(
    socket,
    'shutdown',
    {
      ...(v.for !== undefined ? { for: v.for } : {}),
      ...(v.force ? { force: true } : {}),
      ...(v.bastion ? { bastion: true } : {}),
    },
    io,
  );
}

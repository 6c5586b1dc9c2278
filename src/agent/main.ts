// fyr-agent: the bastion's first-boot agent. `run` (the default) provisions the site from the
// state file onwards; `status` prints where it is. The agent's one process boundary: argv,
// signals and exit codes live here and nowhere else under src/agent.
import { parseArgs } from 'node:util';
import { exec } from './exec.js';
import { packageVersion } from '../util/package-info.js';
import { createAgent, type RunFlags } from './agent.js';
import { loadState, type AgentState } from './state.js';
import { statusText } from './status/text.js';
import { statusView } from './status/view.js';
import { bastionPaths, type Paths } from './paths.js';
import { backupListing, backupListingText } from './backups/listing.js';
import { keeperCommand } from './keeper/ask.js';
import { unlock } from './unlock.js';
import { applyMain } from './apply/command.js';
import { upgradeMain } from './upgrade/command.js';
import { handOver } from './upgrade/hand-over.js';
import { HELP } from './help.js';

// Set by the bundler (esbuild --define); from src/ under tsx it is read from package.json.
declare const FYR_AGENT_VERSION: string | undefined;
const agentVersion = (): string => (typeof FYR_AGENT_VERSION === 'string' ? FYR_AGENT_VERSION : packageVersion());

// The code from the terminal without echo, or the first line of stdin when it is not one.
async function readCode(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    return text.split('\n')[0] ?? '';
  }
  process.stderr.write('Unlock code: ');
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  let code = '';
  try {
    for await (const chunk of stdin) {
      for (const c of String(chunk)) {
        if (c === '\r' || c === '\n') return code;
        if (c === '\u0003') throw new Error('cancelled');
        if (c === '\u007f') code = code.slice(0, -1);
        else code += c;
      }
    }
    return code;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

const COMMANDS = ['run', 'status', 'unlock', 'backup', 'backups', 'shutdown', 'power-on', 'apply', 'upgrade'];

// The state file for a reading subcommand, or the exit code when it cannot be read.
async function readState(paths: Paths): Promise<{ state: AgentState | undefined } | { code: number }> {
  try {
    return { state: await loadState(paths.stateFile) };
  } catch (err) {
    // A damaged file is bad input (3); one this user may not read is said so (1).
    const denied = (err as NodeJS.ErrnoException).code === 'EACCES';
    process.stderr.write(
      `fyr-agent: ${denied ? `${paths.stateFile}: only root may read the agent's state (sudo)` : (err as Error).message}\n`,
    );
    return { code: denied ? 1 : 3 };
  }
}

async function listKept(paths: Paths, json: boolean): Promise<number> {
  const read = await readState(paths);
  if ('code' in read) return read.code;
  const { state } = read;
  const listing = await backupListing(paths.backupsDir, state, new Date());
  process.stdout.write(json ? `${JSON.stringify(listing, null, 2)}\n` : backupListingText(listing));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        root: { type: 'string', default: '/' },
        site: { type: 'string' },
        state: { type: 'string' },
        media: { type: 'string' },
        services: { type: 'string', default: 'systemd' },
        'status-listen': { type: 'string' },
        'power-parallel': { type: 'string' },
        'poll-ms': { type: 'string' },
        'watch-timeout-min': { type: 'string' },
        'exit-when-installed': { type: 'boolean', default: false },
        'health-every-s': { type: 'string' },
        'backup-every-s': { type: 'string' },
        'first-backup-after-s': { type: 'string' },
        'power-off-timeout-s': { type: 'string' },
        'node-back-timeout-s': { type: 'string' },
        'stable-period-s': { type: 'string' },
        for: { type: 'string' },
        force: { type: 'boolean', default: false },
        bastion: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'site-iso': { type: 'string' },
        bundle: { type: 'string' },
        yes: { type: 'boolean', default: false },
        'unlock-code-file': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`fyr-agent: ${(err as Error).message}\nTry fyr-agent --help.\n`);
    return 2;
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (v.version) {
    process.stdout.write(`${agentVersion()}\n`);
    return 0;
  }
  const command = positionals[0] ?? 'run';
  if (positionals.length > 1 || !COMMANDS.includes(command)) {
    process.stderr.write(
      `fyr-agent: unknown command "${positionals.join(' ')}"; the commands are ${COMMANDS.slice(0, -1).join(', ')} and ${COMMANDS.at(-1)}\n`,
    );
    return 2;
  }
  const paths = bastionPaths(v.root, { ...(v.site ? { site: v.site } : {}), ...(v.state ? { state: v.state } : {}) });
  const io = { out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t) };
  if (command === 'unlock') return unlock(paths.unlockSocket, readCode, io);
  if (command === 'backup' || command === 'shutdown' || command === 'power-on')
    return keeperCommand(paths.keeperSocket, command, v, io);
  if (command === 'backups') return listKept(paths, v.json);
  if (command === 'apply') return applyMain(v, paths, readCode, io);
  if (command === 'upgrade')
    return upgradeMain(v, paths, {
      ...io,
      version: agentVersion(),
      // A newer agent from the stick: the keeper restarts on it, this command runs again with it.
      handOver: (agentFile) =>
        handOver({
          services: v.services,
          exec,
          keeperSocket: paths.keeperSocket,
          agentFile,
          args: process.argv.slice(2),
          err: io.err,
        }),
    });
  if (command === 'status') {
    const read = await readState(paths);
    if ('code' in read) return read.code;
    const { state } = read;
    if (!state) {
      process.stderr.write(`fyr-agent: no state at ${paths.stateFile}: the agent has not started yet\n`);
      return 1;
    }
    const view = statusView(state, new Date());
    process.stdout.write(v.json ? `${JSON.stringify(view, null, 2)}\n` : statusText(view));
    return view.state === 'failed' ? 1 : 0;
  }
  const int = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} wants a whole number above 0, not "${text}"`);
    return n;
  };
  const whole = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} wants a whole number of seconds, not "${text}"`);
    return n;
  };
  let flags: RunFlags;
  try {
    flags = {
      paths,
      services: v.services,
      ...(v.media ? { media: v.media } : {}),
      ...(v['status-listen'] ? { statusListen: v['status-listen'] } : {}),
      ...(int('power-parallel', v['power-parallel'])
        ? { powerParallel: int('power-parallel', v['power-parallel'])! }
        : {}),
      ...(int('poll-ms', v['poll-ms']) ? { pollMs: int('poll-ms', v['poll-ms'])! } : {}),
      ...(int('watch-timeout-min', v['watch-timeout-min'])
        ? { watchTimeoutMs: int('watch-timeout-min', v['watch-timeout-min'])! * 60_000 }
        : {}),
      ...(v['exit-when-installed'] ? { exitWhenInstalled: true } : {}),
      ...(int('health-every-s', v['health-every-s'])
        ? { healthEveryMs: int('health-every-s', v['health-every-s'])! * 1000 }
        : {}),
      ...(int('backup-every-s', v['backup-every-s'])
        ? { backupEveryMs: int('backup-every-s', v['backup-every-s'])! * 1000 }
        : {}),
      ...(v['first-backup-after-s'] !== undefined
        ? { firstBackupAfterMs: whole('first-backup-after-s', v['first-backup-after-s']) * 1000 }
        : {}),
      powerTimes: {
        ...(int('power-off-timeout-s', v['power-off-timeout-s'])
          ? { powerOffTimeoutMs: int('power-off-timeout-s', v['power-off-timeout-s'])! * 1000 }
          : {}),
        ...(int('node-back-timeout-s', v['node-back-timeout-s'])
          ? {
              nodeBackTimeoutMs: int('node-back-timeout-s', v['node-back-timeout-s'])! * 1000,
              apiBackTimeoutMs: int('node-back-timeout-s', v['node-back-timeout-s'])! * 1000,
            }
          : {}),
        ...(v['stable-period-s'] !== undefined
          ? { stablePeriodS: whole('stable-period-s', v['stable-period-s']) }
          : {}),
      },
    };
  } catch (err) {
    process.stderr.write(`fyr-agent: ${(err as Error).message}\n`);
    return 2;
  }
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const controller = new AbortController();
  const stop = () => controller.abort();
  // `on`, not `once`: execa's exit handler re-raises a signal nobody else listens to any more,
  // which would kill the agent before it stops cleanly.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const agent = await createAgent(flags, log, controller.signal);
  if (!agent.ok) {
    process.stderr.write(`fyr-agent: ${agent.message}\n`);
    return agent.exitCode;
  }
  return agent.run();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`fyr-agent: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 70;
  },
);

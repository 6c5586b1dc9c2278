// fyr-agent: the bastion's first-boot agent. `run` (the default) provisions the site from the
// state file onwards; `status` prints where it is. The agent's one process boundary: argv,
// signals and exit codes live here and nowhere else under src/agent.
import { parseArgs } from 'node:util';
import { packageVersion } from '../util/package-info.js';
import { createAgent, type RunFlags } from './agent.js';
import { loadState } from './state.js';
import { statusText, statusView } from './status-view.js';
import { bastionPaths } from './paths.js';
import { sendUnlock } from './unlock.js';

// Set by the bundler (esbuild --define); from src/ under tsx it is read from package.json.
declare const FYR_AGENT_VERSION: string | undefined;
const agentVersion = (): string => (typeof FYR_AGENT_VERSION === 'string' ? FYR_AGENT_VERSION : packageVersion());

const HELP = `fyr-agent: provisions a fyr site from its bastion, resumably.

Usage:
  fyr-agent [run] [options]     run (or resume) the phases until the cluster is installed
  fyr-agent status [--json]     print the phases, every node's progress and the last error
  fyr-agent unlock              give the waiting agent the site's unlock code (asked for
                                without echo on a terminal, else read from stdin)

Options:
  --root DIR              prefix of every bastion path (default /)
  --site FILE             site file written by fyr render (default ROOT/etc/fyr/site.json)
  --state DIR             state directory (default ROOT/var/lib/fyr)
  --media DIR             the install media's files; default: mount the media by its label
  --services KIND         systemd (default) or supervisor:FILE (a JSON file naming each
                          daemon's command line; for machines without systemd, e.g. tests)
  --status-listen ADDR    host:port of the status page, or "off" (default LAN address:8090)
  --power-parallel N      nodes powered on at once (default 3)
  --poll-ms N             how often the logs are read while watching nodes (default 5000)
  --watch-timeout-min N   how long nodes may take from power-on to ignition (default 120)
  --json                  status: print JSON (the same as GET /api/status)
  -h, --help              this help
  --version               the agent's version

A sealed site waits in the locked phase for its unlock code: typed at the bastion's console
(the system's password prompt) or sent over SSH with fyr-agent unlock. Once unlocked it is
not asked for again.

On a failure the agent records the phase, the reason and the command in its state file,
keeps serving the status page, and resumes from that phase when started again
(systemctl restart fyr-agent). Exit codes: 0 done, 1 failed, 2 usage, 3 bad input files.
`;

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

async function unlock(socket: string): Promise<number> {
  try {
    const code = await readCode();
    process.stderr.write('checking (this takes a few seconds)...\n');
    const verdict = await sendUnlock(socket, code);
    if (verdict.ok) {
      process.stdout.write('fyr-agent: unlocked; the install goes on (fyr-agent status shows it)\n');
      return 0;
    }
    process.stderr.write(`fyr-agent: ${verdict.why}\n`);
    return 1;
  } catch (err) {
    process.stderr.write(`fyr-agent: ${(err as Error).message}\n`);
    return 1;
  }
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
        json: { type: 'boolean', default: false },
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
  if (positionals.length > 1 || !['run', 'status', 'unlock'].includes(command)) {
    process.stderr.write(
      `fyr-agent: unknown command "${positionals.join(' ')}"; the commands are run, status and unlock\n`,
    );
    return 2;
  }
  const paths = bastionPaths(v.root, { ...(v.site ? { site: v.site } : {}), ...(v.state ? { state: v.state } : {}) });
  if (command === 'unlock') return unlock(paths.unlockSocket);
  if (command === 'status') {
    let state;
    try {
      state = await loadState(paths.stateFile);
    } catch (err) {
      process.stderr.write(`fyr-agent: ${(err as Error).message}\n`);
      return 3;
    }
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
    };
  } catch (err) {
    process.stderr.write(`fyr-agent: ${(err as Error).message}\n`);
    return 2;
  }
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
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

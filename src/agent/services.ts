// Starting and watching the bastion's daemons. systemd on the bastion; a foreground process
// supervisor (the same interface, daemons as child processes with pid files) where there is
// no systemd, as in the tests.
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Exec } from './exec.js';

export interface ServiceManager {
  readonly kind: string;
  // Enable and start; nothing if it runs already.
  start(unit: string): Promise<void>;
  reload(unit: string): Promise<void>;
  // Stop and disable.
  stop(unit: string): Promise<void>;
  isActive(unit: string): Promise<boolean>;
  // The unit's recent log, oldest first (the watch phase reads dhcpd's DHCPACK lines here).
  logs(unit: string): Promise<string>;
  // Why a unit is not run by this manager, if it is not (the status page shows it).
  skipped(unit: string): string | undefined;
  // Powers the bastion off (fyr-agent shutdown --bastion, once the nodes are off).
  powerOff(): Promise<void>;
}

export function systemdManager(exec: Exec): ServiceManager {
  return {
    kind: 'systemd',
    start: async (unit) => void (await exec('systemctl', ['enable', '--now', unit])),
    reload: async (unit) => void (await exec('systemctl', ['reload-or-restart', unit])),
    stop: async (unit) => void (await exec('systemctl', ['disable', '--now', unit])),
    // is-active exits 3 for an inactive unit: an answer, not a failure.
    isActive: async (unit) =>
      (await exec('systemctl', ['is-active', '--quiet', unit], { okCodes: [1, 3, 4] })).exitCode === 0,
    logs: async (unit) =>
      (await exec('journalctl', ['--unit', unit, '--output', 'cat', '--no-pager', '--lines', '20000'])).stdout,
    skipped: () => undefined,
    powerOff: async () => void (await exec('systemctl', ['poweroff'])),
  };
}

export interface SupervisedService {
  argv?: string[];
  // The program name the running process shows, when argv starts with a wrapper that execs it.
  match?: string;
  // Not run by the supervisor, with the reason (e.g. a web console with no place in a test).
  skip?: string;
}

export interface SupervisorConfig {
  format: 'fyr-supervisor/1';
  runDir: string;
  services: Record<string, SupervisedService>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function supervisorManager(config: SupervisorConfig): ServiceManager {
  const pidFile = (unit: string) => join(config.runDir, `${unit}.pid`);
  const logFile = (unit: string) => join(config.runDir, `${unit}.log`);
  const entry = (unit: string): SupervisedService => {
    const s = config.services[unit];
    if (!s) throw new Error(`the supervisor has no entry for ${unit} (add it to its config's "services")`);
    return s;
  };
  // The pid of a live process started for this unit; a pid file left by a dead one is ignored.
  const running = async (unit: string): Promise<number | undefined> => {
    const pid = Number((await readFile(pidFile(unit), 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    const program = entry(unit).match ?? basename(entry(unit).argv?.[0] ?? '');
    return cmdline.includes(program) ? pid : undefined;
  };
  const start = async (unit: string): Promise<void> => {
    const s = entry(unit);
    if (s.skip || !s.argv?.length) return;
    if ((await running(unit)) !== undefined) return;
    await mkdir(config.runDir, { recursive: true });
    const log = await open(logFile(unit), 'a');
    try {
      // Detached, so a killed agent leaves its daemons running, as systemd would.
      const child = spawn(s.argv[0]!, s.argv.slice(1), { detached: true, stdio: ['ignore', log.fd, log.fd] });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      child.unref();
      await writeFile(pidFile(unit), `${child.pid}\n`);
    } finally {
      await log.close();
    }
  };
  const stop = async (unit: string): Promise<void> => {
    const pid = await running(unit);
    if (pid !== undefined) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    await rm(pidFile(unit), { force: true });
  };
  return {
    kind: 'supervisor',
    start,
    reload: async (unit) => {
      await stop(unit);
      await start(unit);
    },
    stop,
    isActive: async (unit) => {
      if (entry(unit).skip) return false;
      // Just started, a daemon may still be a wrapper exec'ing it (and mid-exec its cmdline
      // reads empty): a live pid is looked at again for up to 2 s before it is called gone.
      for (let i = 0; ; i++) {
        if ((await running(unit)) !== undefined) return true;
        const pid = Number((await readFile(pidFile(unit), 'utf8').catch(() => '')).trim());
        if (i >= 20 || !Number.isInteger(pid) || pid <= 0 || !alive(pid)) return false;
        await sleep(100);
      }
    },
    logs: async (unit) => readFile(logFile(unit), 'utf8').catch(() => ''),
    skipped: (unit) => config.services[unit]?.skip,
    // No machine to power off under a supervisor: the request is written down (tests read it).
    powerOff: async () => {
      await mkdir(config.runDir, { recursive: true });
      await writeFile(join(config.runDir, 'poweroff'), `${new Date().toISOString()}\n`);
    },
  };
}

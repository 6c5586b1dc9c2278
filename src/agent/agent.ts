// Puts the agent together: reads its inputs, picks the effects (systemd or the supervisor,
// BMC drivers, the media), serves the status page and runs the phases.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PORTS } from '../formats/bastion-layout.js';
import { bmcDriver } from './bmc/index.js';
import { DEFAULT_OPTIONS, type AgentContext, type AgentOptions } from './context.js';
import { exec } from './exec.js';
import { exists } from './files.js';
import type { Paths } from './paths.js';
import { PHASE_LIST } from './phases/index.js';
import { AgentFailed, runPhases } from './runner.js';
import { supervisorManager, systemdManager, type ServiceManager, type SupervisorConfig } from './services.js';
import { readResealed } from './resealed.js';
import { AgentInputError, readRelease, readRenderFacts, readSecrets, readSite, type AgentSite } from './site.js';
import { freshState, loadState, StateStore, type NodeRecord } from './state.js';
import { buildStatusApp } from './status/app.js';
import { isMountPoint } from './mounts.js';
import { Keeper } from './keeper/keeper.js';
import { takeLock } from './lock.js';
import { mount } from './tools.js';

export interface RunFlags {
  paths: Paths;
  services: string;
  media?: string;
  statusListen?: string;
  powerParallel?: number;
  pollMs?: number;
  watchTimeoutMs?: number;
  // Stop once installed instead of keeping the site.
  exitWhenInstalled?: boolean;
  healthEveryMs?: number;
  backupEveryMs?: number;
  firstBackupAfterMs?: number;
  // Shutdown and power-on waits (labs and tests shorten them).
  powerTimes?: Partial<
    Pick<AgentOptions, 'powerOffTimeoutMs' | 'apiBackTimeoutMs' | 'nodeBackTimeoutMs' | 'stablePeriodS'>
  >;
}

type Created = { ok: true; run: () => Promise<number> } | { ok: false; exitCode: number; message: string };

const MEDIA_MOUNT = '/run/fyr/media';

function nodeRecords(site: AgentSite): NodeRecord[] {
  const nodes: NodeRecord[] = site.nodes.map((n) => ({
    name: n.name,
    role: n.role,
    mac: n.mac,
    ip: n.ip,
    bmc: n.bmc.type,
    power: 'pending',
    seen: {},
  }));
  nodes.push({
    name: 'bootstrap',
    role: 'bootstrap',
    mac: site.bootstrap.mac,
    ip: site.bootstrap.ip,
    bmc: 'libvirt',
    power: 'pending',
    seen: {},
  });
  return nodes;
}

async function serviceManager(spec: string): Promise<ServiceManager> {
  if (spec === 'systemd') return systemdManager(exec);
  if (spec.startsWith('supervisor:')) {
    const file = spec.slice('supervisor:'.length);
    const config = JSON.parse(await readFile(file, 'utf8')) as SupervisorConfig;
    if (config.format !== 'fyr-supervisor/1') throw new AgentInputError(`${file}: not a fyr-supervisor/1 file`);
    return supervisorManager(config);
  }
  throw new AgentInputError(`--services wants systemd or supervisor:FILE, not "${spec}"`);
}

function sleeper(signal: AbortSignal) {
  return (ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(new Error('stopped'));
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Error('stopped'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
}

export async function createAgent(flags: RunFlags, log: (line: string) => void, signal: AbortSignal): Promise<Created> {
  const { paths } = flags;
  let ctx: AgentContext;
  let lock: { release(): Promise<void> } | undefined;
  try {
    const [site, { os, sealed }, release, services] = await Promise.all([
      readSite(paths.siteJson),
      readRenderFacts(paths.manifestJson),
      readRelease(paths.releaseJson),
      serviceManager(flags.services),
    ]);
    // Sealed: the resealed copy once the site was unlocked, else nothing until the locked phase.
    let resealed;
    if (sealed) {
      resealed = await readResealed(exec, paths.resealedSecrets).catch((err: Error) => {
        log(`locked: the resealed secrets cannot be opened (${err.message}); the unlock code is needed again`);
        return undefined;
      });
    }
    const secrets = sealed ? (resealed ?? { bmc: {} }) : await readSecrets(paths.secretsJson);
    await mkdir(paths.stateDir, { recursive: true, mode: 0o700 });
    const taken = await takeLock(join(paths.stateDir, 'agent.pid'));
    if (!taken.held)
      return {
        ok: false,
        exitCode: 1,
        message: `another fyr-agent (pid ${taken.pid}) is running this site; stop it first (systemctl stop fyr-agent)`,
      };
    lock = taken;
    const now = () => new Date();
    const state = (await loadState(paths.stateFile)) ?? freshState(site.cluster.fqdn, nodeRecords(site), now());
    if (sealed && resealed === undefined) state.phases.locked = { status: 'pending', attempts: 0 };
    const store = new StateStore(paths.stateFile, state, now);
    const options: AgentOptions = {
      ...DEFAULT_OPTIONS,
      ...(flags.powerParallel ? { powerParallel: flags.powerParallel } : {}),
      ...(flags.pollMs
        ? { pollMs: flags.pollMs, retryBaseMs: Math.min(DEFAULT_OPTIONS.retryBaseMs, flags.pollMs) }
        : {}),
      ...(flags.watchTimeoutMs ? { watchTimeoutMs: flags.watchTimeoutMs } : {}),
      ...(flags.exitWhenInstalled ? { keeper: false } : {}),
      ...(flags.healthEveryMs ? { healthEveryMs: flags.healthEveryMs } : {}),
      ...(flags.backupEveryMs ? { backupEveryMs: flags.backupEveryMs } : {}),
      ...(flags.firstBackupAfterMs !== undefined ? { firstBackupAfterMs: flags.firstBackupAfterMs } : {}),
      ...flags.powerTimes,
    };
    const media = async (): Promise<string> => {
      if (flags.media) return flags.media;
      if (!(await exists(join(MEDIA_MOUNT, 'release.json')))) {
        await mkdir(MEDIA_MOUNT, { recursive: true });
        await exec('mount', mount.media(release.volumeId, MEDIA_MOUNT));
      }
      return MEDIA_MOUNT;
    };
    const releaseMedia = async (): Promise<void> => {
      if (!flags.media && (await isMountPoint(MEDIA_MOUNT))) await exec('umount', mount.unmount(MEDIA_MOUNT));
    };
    ctx = {
      paths,
      os,
      site,
      secrets,
      sealed,
      release,
      media,
      releaseMedia,
      services,
      exec,
      store,
      options,
      log,
      signal,
      // Read at each call: a sealed site's passwords arrive with the unlock.
      bmc: (node) => bmcDriver(node, ctx.secrets.bmc[node.name], exec),
      now,
      sleep: sleeper(signal),
    };
    // Written at once, so the status page and `fyr-agent status` have a state from the start.
    await store.update(() => undefined);
  } catch (err) {
    await lock?.release();
    if (err instanceof AgentInputError) return { ok: false, exitCode: 3, message: err.message };
    const e = err as NodeJS.ErrnoException;
    return { ok: false, exitCode: 1, message: `cannot start: ${e.message}` };
  }

  return {
    ok: true,
    run: async () => {
      const listen = flags.statusListen ?? `${ctx.site.network.lan.bastion}:${PORTS.status}`;
      const app = listen === 'off' ? undefined : buildStatusApp(paths.stateFile);
      if (app) {
        const at = listen.lastIndexOf(':');
        try {
          const address = await app.listen({ host: listen.slice(0, at), port: Number(listen.slice(at + 1)) });
          log(`status page: ${address}/`);
        } catch (err) {
          log(`status page: cannot listen on ${listen} (${(err as Error).message}); going on without it`);
        }
      }
      let code = 0;
      let installed = false;
      // Installed before this start: the bastion booted (or the agent restarted) on a kept site.
      const restarted = ctx.store.state.finishedAt !== undefined;
      try {
        await runPhases(ctx, PHASE_LIST);
        installed = true;
        log(`done: ${ctx.site.cluster.fqdn} is installed; kubeconfig and kubeadmin-password are in ${paths.authDir}`);
        // From here the agent keeps the site until it is stopped (systemctl stop fyr-agent).
        if (ctx.options.keeper) await new Keeper(ctx, { restarted }).run();
      } catch (err) {
        if (signal.aborted && installed) log('keeper: stopped; the next start goes on keeping the site');
        else if (signal.aborted) log('stopped by a signal; the next start resumes from here');
        else if (!(err instanceof AgentFailed)) throw err;
        if (!installed || !signal.aborted) code = 1;
        // Keep the status page up after a failure, so the tech can read what went wrong.
        if (app && !signal.aborted) {
          log(`the status page stays up; fix the cause and run: systemctl restart fyr-agent`);
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        }
      }
      await app?.close();
      await lock?.release();
      return code;
    },
  };
}

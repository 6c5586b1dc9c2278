// Services: boot loaders into the TFTP root, Tang keys, then each daemon started with the
// rendered config and checked the way a node will use it.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PORTS } from '../../formats/bastion-layout.js';
import { LOADER_PACKAGES, type DhcpServer } from '../../formats/bastion-os.js';
import { PhaseError, once, type AgentContext, type Phase } from '../context.js';
import { copyAtomic } from '../files.js';
import { dhcpServer, findLoaders } from '../os-profile.js';
import { dnsA, httpGet, keaCommand, ntpStratum, tcpOpen, until } from '../probes.js';

export const HEALTH_FILE = 'fyr-health.txt';
export const TANGD_KEYGEN = '/usr/libexec/tangd-keygen';

interface Unit {
  unit: string;
  what: string;
  health?: (ctx: AgentContext) => Promise<void>;
}

const bastionIp = (ctx: AgentContext) => ctx.site.network.lan.bastion;

// Kea's own account of itself: running, configured, and with its DHCP sockets open on the LAN
// bridge ("sockets" is absent before Kea 2.0, when only the answer is checked).
async function keaHealthy(ctx: AgentContext): Promise<void> {
  const socket = dhcpServer(ctx.paths.root, ctx.os).controlSocket;
  if (socket === undefined) return;
  const answer = await keaCommand(socket, 'status-get');
  if (answer.result !== 0) throw new Error(`status-get answered result ${answer.result}: ${answer.text ?? ''}`);
  const sockets = answer.arguments?.sockets;
  if (sockets !== undefined && sockets.status !== 'ready')
    throw new Error(`its DHCP sockets are ${sockets.status}: ${(sockets.errors ?? []).join('; ')}`);
}

const DHCP_UNIT: Record<DhcpServer['kind'], Omit<Unit, 'unit'>> = {
  dhcpd: { what: 'DHCP' },
  kea: { what: 'DHCP', health: keaHealthy },
};

const UNITS: Unit[] = [
  {
    unit: 'named',
    what: 'DNS',
    health: async (ctx) => {
      const name = `api.${ctx.site.cluster.fqdn}`;
      const answer = await dnsA(bastionIp(ctx), name);
      if (!answer.includes(bastionIp(ctx)))
        throw new Error(`named answers ${name} with ${answer.join(', ')}, not ${bastionIp(ctx)}`);
    },
  },
  { unit: 'chronyd', what: 'NTP', health: async (ctx) => void (await ntpStratum(bastionIp(ctx))) },
  { unit: 'tftp.socket', what: 'TFTP' },
  {
    unit: 'httpd',
    what: 'HTTP content',
    health: async (ctx) => {
      const url = `http://${bastionIp(ctx)}:${PORTS.content}/${HEALTH_FILE}`;
      const r = await httpGet(url);
      if (r.status !== 200 || r.body.trim() !== ctx.site.cluster.fqdn)
        throw new Error(`GET ${url} answered ${r.status}, not the health file`);
    },
  },
  { unit: 'haproxy', what: 'load balancer', health: async (ctx) => tcpOpen(bastionIp(ctx), 6443) },
  {
    unit: 'tangd.socket',
    what: 'Tang',
    health: async (ctx) => {
      const r = await httpGet(`http://${bastionIp(ctx)}:${PORTS.tang}/adv`);
      if (r.status !== 200 || !r.body.includes('payload'))
        throw new Error(`Tang's /adv answered ${r.status} without an advertisement`);
    },
  },
  { unit: 'cockpit.socket', what: 'web console' },
];

// The daemons in the order they start: DHCP first, by the OS's server.
export function units(ctx: AgentContext): Unit[] {
  const dhcp = dhcpServer(ctx.paths.root, ctx.os);
  return [{ unit: dhcp.unit, ...DHCP_UNIT[dhcp.kind] }, ...UNITS];
}

async function prepare(ctx: AgentContext): Promise<void> {
  const loaders = await findLoaders(ctx.paths.root, ctx.paths.tftpRoot, ctx.os);
  if (loaders.missing.length > 0)
    throw new PhaseError(`boot loaders missing: ${loaders.missing.join('; ')} (packages ${LOADER_PACKAGES})`);
  for (const l of loaders.found) await copyAtomic(l.from, l.to);
  await mkdir(ctx.paths.contentRoot, { recursive: true });
  await writeFile(join(ctx.paths.contentRoot, HEALTH_FILE), `${ctx.site.cluster.fqdn}\n`);
  if (ctx.site.diskEncryption.tang) {
    // Keys are made once, here: every node's disk will be bound to them.
    const hasKeys = async () =>
      (await readdir(ctx.paths.tangDb).catch(() => [] as string[])).some((f) => f.endsWith('.jwk'));
    await once(
      ctx,
      'tang-keys',
      async () => {
        await mkdir(ctx.paths.tangDb, { recursive: true });
        await ctx.exec(TANGD_KEYGEN, [ctx.paths.tangDb]);
      },
      hasKeys,
    );
  }
}

export const services: Phase = {
  name: 'services',
  title: 'DHCP, DNS, NTP, TFTP, HTTP, HAProxy, Tang, Cockpit',
  attempts: 3,
  async run(ctx, progress) {
    await progress('boot loaders, content root and Tang keys');
    await prepare(ctx);
    for (const u of units(ctx)) {
      if (u.unit === 'tangd.socket' && !ctx.site.diskEncryption.tang) continue;
      const skipped = ctx.services.skipped(u.unit);
      if (skipped !== undefined) {
        await progress(`${u.unit}: not run by ${ctx.services.kind} (${skipped})`);
        continue;
      }
      await progress(`starting ${u.unit} (${u.what})`);
      await ctx.services.start(u.unit);
      try {
        await until(
          async () => {
            if (!(await ctx.services.isActive(u.unit))) throw new Error(`${u.unit} is not running`);
            await u.health?.(ctx);
          },
          30_000,
          ctx.sleep,
        );
      } catch (err) {
        const log = (await ctx.services.logs(u.unit).catch(() => '')).trimEnd().split('\n').slice(-5).join('\n  ');
        throw new PhaseError(
          `${u.unit} (${u.what}) failed its health check: ${(err as Error).message}${log ? `\n  ${log}` : ''}`,
          { retryable: true },
        );
      }
    }
  },
};

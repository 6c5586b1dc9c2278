// Watch: follow every machine from its DHCP lease to its ignition fetch, report machines that
// PXE-boot but are not in the site file (by MAC, so a tech can fix a typo), and stop when every
// node and the bootstrap VM have fetched ignition.
import { readFile } from 'node:fs/promises';
import { PhaseError, type AgentContext, type Phase } from '../context.js';
import { NODE_STEPS, type AgentState, type NodeStep } from '../state.js';
import { dhcpServer } from '../os-profile.js';
import { parseAccessLog, parseDhcpLog, parseKeaLeases, parseKeaLog, parseLeases, stepOf } from '../watch-parse.js';

// How each DHCP server records a machine: its log lines and its lease file.
const READERS = {
  dhcpd: { log: parseDhcpLog, leases: parseLeases },
  kea: { log: parseKeaLog, leases: parseKeaLeases },
} as const;

function knownMacs(ctx: AgentContext): Set<string> {
  const site = ctx.site;
  return new Set(
    [
      ...site.nodes.map((n) => n.mac),
      ...site.nodes.map((n) => n.bmc.mac ?? ''),
      ...site.network.reservations.map((r) => r.mac),
      site.bootstrap.mac,
    ]
      .filter((m) => m !== '')
      .map((m) => m.toLowerCase()),
  );
}

// One look at the logs; returns whether the state changed.
export async function observe(ctx: AgentContext): Promise<boolean> {
  const server = dhcpServer(ctx.paths.root, ctx.os);
  const read = READERS[server.kind];
  const dhcp = read.log(await ctx.services.logs(server.unit).catch(() => ''));
  const leases = read.leases(await readFile(server.leases, 'utf8').catch(() => ''));
  const fetches = parseAccessLog(await readFile(ctx.paths.httpLog, 'utf8').catch(() => ''));
  const at = ctx.now().toISOString();
  const known = knownMacs(ctx);
  const next: AgentState = structuredClone(ctx.store.state);
  const mark = (name: string, step: NodeStep) => {
    const n = next.nodes.find((x) => x.name === name);
    if (n && n.seen[step] === undefined) n.seen[step] = at;
  };
  for (const n of next.nodes) {
    if (dhcp.some((d) => d.acked && d.mac === n.mac.toLowerCase())) mark(n.name, 'dhcp');
    for (const f of fetches.filter((f) => f.ip === n.ip && f.status >= 200 && f.status < 400)) {
      const step = stepOf(f.path);
      if (step) mark(n.name, step);
    }
  }
  for (const s of [...dhcp, ...leases.map((l) => ({ ...l, acked: true }))]) {
    if (known.has(s.mac)) continue;
    const seen = next.unknownMacs.find((u) => u.mac === s.mac);
    if (seen) {
      if (s.ip && !seen.ip) seen.ip = s.ip;
    } else next.unknownMacs.push({ mac: s.mac, ...(s.ip ? { ip: s.ip } : {}), firstSeen: at, lastSeen: at });
  }
  const changed =
    JSON.stringify(next.nodes) !== JSON.stringify(ctx.store.state.nodes) ||
    JSON.stringify(next.unknownMacs) !== JSON.stringify(ctx.store.state.unknownMacs);
  if (changed) {
    for (const u of next.unknownMacs.filter((u) => !ctx.store.state.unknownMacs.some((o) => o.mac === u.mac))) {
      ctx.log(
        `watch: a machine that is not in the site file PXE-booted: MAC ${u.mac}${u.ip ? ` (got ${u.ip})` : ''}; if it is a node, fix its mac in the site file`,
      );
    }
    await ctx.store.update((s) => {
      s.nodes = next.nodes;
      s.unknownMacs = next.unknownMacs;
    });
  }
  return changed;
}

export const lastStep = (seen: Partial<Record<NodeStep, string>>): NodeStep | undefined =>
  [...NODE_STEPS].reverse().find((s) => seen[s] !== undefined);

export const watch: Phase = {
  name: 'watch',
  title: 'follow each node from PXE to ignition',
  attempts: 1,
  async run(ctx, progress) {
    const deadline = ctx.now().getTime() + ctx.options.watchTimeoutMs;
    for (;;) {
      await observe(ctx);
      const nodes = ctx.store.state.nodes;
      const waiting = nodes.filter((n) => n.seen.ignition === undefined);
      if (waiting.length === 0) return;
      const summary = waiting
        .map(
          (n) =>
            `${n.name}: ${lastStep(n.seen) ?? (n.power === 'waiting-for-tech' ? 'waiting for the tech to power it on' : 'no DHCP yet')}`,
        )
        .join(', ');
      if (ctx.now().getTime() >= deadline)
        throw new PhaseError(`${waiting.length} machine(s) did not fetch ignition in time: ${summary}`);
      if (ctx.store.state.phases.watch.detail !== `waiting: ${summary}`) await progress(`waiting: ${summary}`);
      await ctx.sleep(ctx.options.pollMs);
    }
  },
};

// Admin gates (day2.md §1.5; cluster-version operator pkg/risk/adminack): the cluster lists
// gates in openshift-config-managed/admin-gates, a key like ack-4.18-kube-1.32-api-removals-in-4.19
// with the text to read; while the cluster runs that minor and the key is not "true" in
// openshift-config/admin-acks, ClusterVersion says Upgradeable=False (AdminAckRequired) and a
// minor update does not start. fyr acknowledges only the keys the site file lists in
// upgrades.adminAcks; any other one stops the upgrade before it starts, quoting the gate.
import { ocJson, ocOptions } from '../cluster/oc.js';
import { PhaseError, type AgentContext } from '../context.js';
import { oc } from '../tools.js';

export interface Gate {
  key: string;
  message: string;
}

const KEY = /^ack-([4-5]\.[0-9]+)-[^-]/;
const minorOf = (version: string) => version.split('.').slice(0, 2).join('.');

// The gates that hold a minor update from `running`: for its minor, and not acknowledged yet.
export function pendingGates(gates: Record<string, string>, acks: Record<string, string>, running: string): Gate[] {
  return Object.entries(gates)
    .filter(([key]) => KEY.exec(key)?.[1] === minorOf(running) && acks[key] !== 'true')
    .map(([key, message]) => ({ key, message }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

export const isMinorUpdate = (from: string, to: string) => minorOf(from) !== minorOf(to);

export function refusedGatesText(to: string, refused: readonly Gate[]): string {
  const [first] = refused;
  return `the update to ${to} is a minor one and the cluster asks for an administrator's acknowledgement the site file does not give: ${refused
    .map((g) => `${g.key} ("${g.message}")`)
    .join(
      '; ',
    )}. Read it, then list the key in the site file's upgrades.adminAcks (fyr build, fyr-agent apply --site-iso) or acknowledge it yourself (oc -n openshift-config patch configmap admin-acks --type=merge --patch '{"data":{"${first?.key ?? 'KEY'}":"true"}}'), and run fyr-agent upgrade again`;
}

type ConfigMap = { data?: Record<string, string> };

async function readGates(ctx: AgentContext, running: string): Promise<Gate[]> {
  const [gates, acks] = await Promise.all([
    ocJson<ConfigMap>(ctx, oc.getNamespaced('openshift-config-managed', 'configmap', 'admin-gates')),
    ocJson<ConfigMap>(ctx, oc.getNamespaced('openshift-config', 'configmap', 'admin-acks')).catch(
      () => ({}) as ConfigMap,
    ),
  ]);
  return pendingGates(gates.data ?? {}, acks.data ?? {}, running);
}

// The gates a minor hop from `from` would meet that the site does not allow (none for a z-stream).
export async function refusedGates(ctx: AgentContext, from: string, to: string): Promise<Gate[]> {
  if (!isMinorUpdate(from, to)) return [];
  const allowed = new Set(ctx.site.upgrades.adminAcks);
  return (await readGates(ctx, from)).filter((g) => !allowed.has(g.key));
}

// Before a minor hop: acknowledges the pending gates the site allows; any other stops the hop.
export async function ackGates(
  ctx: AgentContext,
  from: string,
  to: string,
  progress: (detail: string) => Promise<void>,
): Promise<void> {
  if (!isMinorUpdate(from, to)) return;
  const pending = await readGates(ctx, from);
  const allowed = new Set(ctx.site.upgrades.adminAcks);
  const refused = pending.filter((g) => !allowed.has(g.key));
  if (refused.length > 0) throw new PhaseError(refusedGatesText(to, refused), { retryable: false });
  for (const g of pending) {
    await progress(`acknowledging ${g.key}, as the site file allows (upgrades.adminAcks)`);
    await ctx.exec('oc', oc.ackAdminGate(g.key), ocOptions(ctx));
  }
}

// What shutdown and power-on share: the site's power record in the state file (each node's
// step, the steps' times), the nodes in the documented order, and waiting on a BMC's power
// state. The record is what the status page and `fyr-agent status` show.
import { ocOptions } from '../cluster/oc.js';
import { PhaseError, type AgentContext } from '../context.js';
import { oc } from '../tools.js';
import { keeperOf } from '../keeper/state.js';
import type { SitePower } from '../keeper/records.js';
import type { AgentNode } from '../site.js';

export const isControlPlane = (n: Pick<AgentNode, 'role'>) => n.role === 'control-plane';

// The site's nodes: control planes and workers (the bootstrap VM is not a site node).
export function siteNodes(ctx: AgentContext): { controlPlanes: AgentNode[]; workers: AgentNode[] } {
  const nodes = ctx.site.nodes;
  return { controlPlanes: nodes.filter(isControlPlane), workers: nodes.filter((n) => !isControlPlane(n)) };
}

export async function setSitePower(ctx: AgentContext, state: SitePower['state'], fresh = false): Promise<void> {
  const now = ctx.now().toISOString();
  await ctx.store.update((s) => {
    const k = keeperOf(ctx, s);
    const before = k.power;
    k.power = {
      state,
      since: now,
      nodes: fresh || !before ? [] : before.nodes,
      steps: fresh || !before ? [] : before.steps,
    };
  });
}

export async function nodeStep(ctx: AgentContext, node: AgentNode, step: string, note?: string): Promise<void> {
  const at = ctx.now().toISOString();
  await ctx.store.update((s) => {
    const power = keeperOf(ctx, s).power;
    if (!power) return;
    const entry = { name: node.name, role: node.role, step, at, ...(note ? { note } : {}) };
    const i = power.nodes.findIndex((n) => n.name === node.name);
    if (i >= 0)
      power.nodes[i] = { ...entry, ...(note ? {} : power.nodes[i]!.note ? { note: power.nodes[i]!.note } : {}) };
    else power.nodes.push(entry);
  });
}

// Runs one step of a shutdown or power-on and records when it started and how long it took
// (a step already timed before a restart keeps its first start).
export async function timedStep<T>(ctx: AgentContext, step: string, work: () => Promise<T>): Promise<T> {
  const started = ctx.now();
  await ctx.store.update((s) => {
    const power = keeperOf(ctx, s).power;
    if (power && !power.steps.some((x) => x.step === step))
      power.steps.push({ step, startedAt: started.toISOString() });
  });
  const result = await work();
  await ctx.store.update((s) => {
    const entry = keeperOf(ctx, s).power?.steps.find((x) => x.step === step);
    if (entry) entry.seconds = Math.round((ctx.now().getTime() - Date.parse(entry.startedAt)) / 1000);
  });
  return result;
}

// Polls until `done` says yes or the time is up; returns whether it did.
export async function pollUntil(ctx: AgentContext, timeoutMs: number, done: () => Promise<boolean>): Promise<boolean> {
  const until = ctx.now().getTime() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (ctx.now().getTime() >= until) return false;
    await ctx.sleep(Math.min(ctx.options.pollMs, Math.max(0, until - ctx.now().getTime())));
  }
}

// Whether a node's BMC says it is off; a BMC that does not answer counts as "not yet".
export async function bmcSaysOff(ctx: AgentContext, node: AgentNode): Promise<boolean> {
  try {
    const driver = ctx.bmc(node);
    if (!driver) return false;
    return (await driver.powerState()) === 'Off';
  } catch (err) {
    ctx.log(`power: ${node.name}: ${(err as Error).message}`);
    return false;
  }
}

export const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

// Whether the node is cordoned now (spec.unschedulable), for a resumed cordon or uncordon.
export async function cordoned(ctx: AgentContext, node: AgentNode): Promise<boolean> {
  const r = await ctx.exec('oc', oc.unschedulable(node.name), ocOptions(ctx));
  return r.stdout.trim() === 'true';
}

// Waits for a node's BMC to say Off; after powerOffTimeoutMs, a hard power-off (journalled
// under `force-off/<node>`), said so in the note. `after` names what should have turned it off.
export async function waitOff(
  ctx: AgentContext,
  node: AgentNode,
  once: (step: string, f: () => Promise<void>) => Promise<void>,
  after: string,
): Promise<{ how: 'off' | 'forced-off' | 'manual'; note?: string }> {
  const driver = ctx.bmc(node);
  if (!driver) return { how: 'manual' };
  const timeout = ctx.options.powerOffTimeoutMs;
  if (await pollUntil(ctx, timeout, () => bmcSaysOff(ctx, node))) return { how: 'off' };
  const note = `hard power-off: its BMC still said On ${seconds(timeout)} after ${after}`;
  ctx.log(`${node.name}: ${note} (${driver.describe})`);
  await once(`force-off/${node.name}`, () => driver.powerOff('hard'));
  if (!(await pollUntil(ctx, 60_000, () => bmcSaysOff(ctx, node))))
    throw new PhaseError(`${node.name} is still on after a hard power-off through ${driver.describe}`, {
      retryable: true,
    });
  return { how: 'forced-off', note };
}

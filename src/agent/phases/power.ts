// Power: each node gets a one-time PXE boot and is powered on through its BMC, a few at a time.
// "requested" is saved before the BMC is asked, so after a crash the node's power state (not a
// second power-on) tells whether the request went through.
import { PhaseError, type AgentContext, type Phase } from '../context.js';
import type { NodeRecord } from '../state.js';

async function setPower(ctx: AgentContext, name: string, power: NodeRecord['power']): Promise<void> {
  await ctx.store.update((s) => {
    const n = s.nodes.find((x) => x.name === name);
    if (n) n.power = power;
  });
}

async function powerNode(ctx: AgentContext, name: string): Promise<void> {
  const node = ctx.site.nodes.find((n) => n.name === name)!;
  const record = ctx.store.state.nodes.find((n) => n.name === name)!;
  if (record.power === 'on') return;
  const driver = ctx.bmc(node);
  if (!driver) {
    await setPower(ctx, name, 'waiting-for-tech');
    ctx.log(`power: ${name} has a manual BMC: power it on and PXE-boot it from the LAN (MAC ${node.mac})`);
    return;
  }
  const state = await driver.powerState();
  if (record.power === 'requested' && state === 'On') {
    // The power-on went out before the crash; do not send a second one.
    await setPower(ctx, name, 'on');
    return;
  }
  await setPower(ctx, name, 'requested');
  await driver.pxeOnce();
  // A node that is already on (a tech, or an earlier boot) restarts into the PXE boot.
  if (state === 'On') await driver.restart();
  else await driver.powerOn();
  await setPower(ctx, name, 'on');
  ctx.log(
    `power: ${name} ${state === 'On' ? 'restarted' : 'powered on'} into a one-time PXE boot (${driver.describe})`,
  );
}

export const power: Phase = {
  name: 'power',
  title: 'one-time PXE boot and power on through the BMCs',
  attempts: 4,
  async run(ctx, progress) {
    const pending = ctx.store.state.nodes
      .filter((n) => n.role !== 'bootstrap' && n.power !== 'on' && n.power !== 'waiting-for-tech')
      .map((n) => n.name);
    const failures: string[] = [];
    for (let i = 0; i < pending.length; i += ctx.options.powerParallel) {
      const batch = pending.slice(i, i + ctx.options.powerParallel);
      await progress(`powering on ${batch.join(', ')}`);
      const results = await Promise.allSettled(batch.map((name) => powerNode(ctx, name)));
      results.forEach((r, j) => {
        if (r.status === 'rejected') failures.push(`${batch[j]}: ${(r.reason as Error).message}`);
      });
    }
    // Nodes that did power on stay on: only the failed ones are retried.
    if (failures.length > 0) throw new PhaseError(`power-on failed:\n  ${failures.join('\n  ')}`, { retryable: true });
  },
};

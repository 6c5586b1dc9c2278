// The site powered on in the documented order (day2.md §4.1): the control planes through
// their BMCs (from their disks: no PXE), the API waited for, the site's own certificate
// requests approved until they are Ready (the keeper's rule: nobody else's), then the workers
// the same way, every node uncordoned, and the cluster waited for until it is stable. Run by
// `fyr-agent power-on`, or by the keeper when the bastion boots and finds the site shut down
// (or nodes off that should be on) with keeper.powerOn: auto.
import { approveSiteCsrs } from '../cluster/approve.js';
import { lookAtCluster, type ClusterRead } from '../cluster/look.js';
import { ocOptions } from '../cluster/oc.js';
import { PhaseError, type AgentContext } from '../context.js';
import { keeperOf, recordHealth } from '../keeper/state.js';
import type { Operation, OperationSteps } from '../keeper/operations.js';
import type { HealthRecord } from '../keeper/records.js';
import type { AgentNode } from '../site.js';
import { oc } from '../tools.js';
import { cordoned, nodeStep, pollUntil, seconds, setSitePower, siteNodes, timedStep } from './site-power.js';

// Powers on the nodes that are off, through their BMCs; manual ones are asked of the tech.
async function powerOnNodes(ctx: AgentContext, steps: OperationSteps, nodes: AgentNode[]): Promise<void> {
  for (const n of nodes) {
    const driver = ctx.bmc(n);
    if (!driver) {
      await nodeStep(ctx, n, 'waiting', 'manual BMC: power it on by hand');
      continue;
    }
    await steps.progress(`powering on ${n.name} (${driver.describe})`);
    // "On already" is asked first, so a resumed power-on never presses the button twice.
    await steps.once(
      `on/${n.name}`,
      () => driver.powerOn(),
      async () => (await driver.powerState()) === 'On',
    );
    await nodeStep(ctx, n, 'powered on');
  }
}

// Looks at the cluster and approves the site's own pending CSRs from what the look read.
async function lookAndApprove(ctx: AgentContext): Promise<HealthRecord> {
  let seen: ClusterRead | undefined;
  const health = await lookAtCluster(ctx, (read) => (seen = read));
  await recordHealth(ctx, health);
  if (!health.error)
    await approveSiteCsrs(ctx, 'power-on', seen).catch((err: Error) => ctx.log(`power-on: CSRs: ${err.message}`));
  return health;
}

const readyNames = (h: HealthRecord) =>
  new Set((h.nodes ?? []).filter((n) => n.ready).map((n) => n.siteNode ?? n.name));

// Waits until every node is Ready, approving their CSRs meanwhile; names the ones that do not.
async function untilReady(ctx: AgentContext, steps: OperationSteps, nodes: AgentNode[]): Promise<void> {
  let last: HealthRecord | undefined;
  const ok = await pollUntil(ctx, ctx.options.nodeBackTimeoutMs, async () => {
    last = await lookAndApprove(ctx);
    if (last.error) return false;
    const ready = readyNames(last);
    for (const n of nodes) if (ready.has(n.name)) await nodeStep(ctx, n, 'Ready');
    const waiting = nodes.filter((n) => !ready.has(n.name));
    if (waiting.length > 0) await steps.progress(`waiting for ${waiting.map((n) => n.name).join(', ')} to be Ready`);
    return waiting.length === 0;
  });
  if (ok) return;
  const ready = last && !last.error ? readyNames(last) : new Set<string>();
  const missing = nodes.filter((n) => !ready.has(n.name));
  const why = missing.map((n) => {
    const seen = last?.nodes?.find((x) => (x.siteNode ?? x.name) === n.name);
    return `${n.name} (${seen ? `Ready ${seen.reason ?? 'False'}` : 'not registered'})`;
  });
  for (const n of missing)
    await nodeStep(ctx, n, 'not back', `not Ready ${seconds(ctx.options.nodeBackTimeoutMs)} after power-on`);
  throw new PhaseError(
    `${why.join(', ')} did not come back within ${seconds(ctx.options.nodeBackTimeoutMs)} of power-on: look at ${missing.length > 1 ? 'their' : 'its'} console (BMC) and at pending CSRs (fyr-agent status)`,
    { retryable: true },
  );
}

export const powerOnSite: Operation = {
  kind: 'power-on',
  title: 'control planes, API, their CSRs, workers, uncordon, wait until stable',
  async blocker(ctx) {
    if (!ctx.store.state.finishedAt) return 'the cluster is not installed yet';
    return undefined;
  },
  async run(ctx, _op, steps) {
    const { controlPlanes, workers } = siteNodes(ctx);
    if (ctx.store.state.keeper?.power?.state !== 'powering-on') await setSitePower(ctx, 'powering-on', true);
    await timedStep(ctx, 'control planes on', () => powerOnNodes(ctx, steps, controlPlanes));
    await timedStep(ctx, 'API back', async () => {
      await steps.progress('waiting for the API');
      let error = '';
      const up = await pollUntil(ctx, ctx.options.apiBackTimeoutMs, async () => {
        const h = await lookAndApprove(ctx);
        error = h.error?.split('\n')[0] ?? '';
        return !h.error;
      });
      if (!up)
        throw new PhaseError(
          `the API did not come back within ${seconds(ctx.options.apiBackTimeoutMs)} of the control planes' power-on (${error})`,
          { retryable: true },
        );
    });
    await timedStep(ctx, 'control planes Ready', () => untilReady(ctx, steps, controlPlanes));
    if (workers.length > 0) {
      await timedStep(ctx, 'workers on', () => powerOnNodes(ctx, steps, workers));
      await timedStep(ctx, 'workers Ready', () => untilReady(ctx, steps, workers));
    }
    await timedStep(ctx, 'uncordon', async () => {
      for (const n of [...controlPlanes, ...workers]) {
        await steps.once(
          `uncordon/${n.name}`,
          async () => void (await ctx.exec('oc', oc.uncordon(n.name), ocOptions(ctx))),
          steps.resumed ? async () => !(await cordoned(ctx, n)) : undefined,
        );
        await nodeStep(ctx, n, 'Ready, uncordoned');
      }
    });
    await timedStep(ctx, 'cluster stable', async () => {
      await steps.progress(`waiting until the cluster is stable (${ctx.options.stablePeriodS} s without a change)`);
      await ctx.exec(
        'oc',
        oc.waitStable(ctx.options.stablePeriodS, ctx.options.stableTimeoutS),
        ocOptions(ctx, { timeoutMs: (ctx.options.stableTimeoutS + 60) * 1000 }),
      );
    });
    await ctx.store.update((s) => {
      const power = keeperOf(ctx, s).power!;
      power.state = 'running';
      power.since = ctx.now().toISOString();
    });
    const total = ctx.store.state.keeper?.power?.steps.reduce((sum, x) => sum + (x.seconds ?? 0), 0) ?? 0;
    return `the site is back: ${controlPlanes.length + workers.length} node(s) Ready and uncordoned, the cluster stable (${total} s)`;
  },
};

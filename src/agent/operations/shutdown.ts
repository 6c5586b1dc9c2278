// The whole site shut down in the documented order (day2.md §4.1): the certificates checked
// against the outage asked for, every node cordoned, the workers drained, each node told to
// shut down from inside (workers first), and each confirmed off through its BMC, with a hard
// power-off only after a timeout, and said so. The site is then recorded as shut down by
// fyr-agent: the bastion's next boot powers it on again (keeper.powerOn). The bastion itself
// (--bastion) is powered off by the keeper after this operation has finished, never inside it,
// so a resumed shutdown can never power the bastion off twice.
import { parseDuration } from '../../util/duration.js';
import { lookAtCluster } from '../cluster/look.js';
import { ocOptions } from '../cluster/oc.js';
import { PhaseError, type AgentContext } from '../context.js';
import { keeperOf, recordHealth } from '../keeper/state.js';
import type { Operation } from '../keeper/operations.js';
import type { OperationOptions } from '../keeper/records.js';
import type { AgentNode } from '../site.js';
import { oc } from '../tools.js';
import { bmcSaysOff, cordoned, nodeStep, setSitePower, siteNodes, timedStep, waitOff } from './site-power.js';

// The outage the certificates must outlast when --for is not given.
export const DEFAULT_OUTAGE = '30d';
const DAY = 24 * 3600_000;

export function outageMs(asked: OperationOptions): number {
  const text = typeof asked.for === 'string' ? asked.for : DEFAULT_OUTAGE;
  const s = parseDuration(text);
  if (s === undefined) throw new PhaseError(`--for ${text}: expected a duration such as 12h, 7d or 90d`);
  return s * 1000;
}

// Why the site may not be shut down now (--force skips the cluster's side of it).
async function shutdownBlocker(ctx: AgentContext, _by: string, asked: OperationOptions): Promise<string | undefined> {
  if (!ctx.store.state.finishedAt) return 'the cluster is not installed yet';
  const power = ctx.store.state.keeper?.power;
  if (power?.state === 'shut-down')
    return `the site is already shut down (since ${power.since}); fyr-agent power-on brings it back`;
  let outage: number;
  try {
    outage = outageMs(asked);
  } catch (err) {
    return (err as Error).message;
  }
  if (asked.force === true) return undefined;
  const installed = Date.parse(ctx.store.state.finishedAt);
  if (ctx.now().getTime() - installed < DAY)
    return `the cluster was installed less than 24 h ago (${ctx.store.state.finishedAt}): its bootstrap certificates rotate in its first day, and a cluster shut down before then needs its certificate requests approved by hand at power-on (day2.md §3.4); wait until ${new Date(installed + DAY).toISOString()}, or --force`;
  const health = await lookAtCluster(ctx);
  await recordHealth(ctx, health);
  if (health.error)
    return `the cluster cannot be reached (${health.error.split('\n')[0]}), so its certificates cannot be checked; --force shuts the nodes down through their BMCs only`;
  const notAfter = health.certificatesNotAfter;
  if (!notAfter) return 'the cluster did not say when its certificates expire; --force to shut down anyway';
  const back = ctx.now().getTime() + outage;
  if (Date.parse(notAfter) <= back)
    return `the cluster's certificates are valid until ${notAfter}: a site off for ${typeof asked.for === 'string' ? asked.for : DEFAULT_OUTAGE} would come back after that and need the expired-certificate recovery (day2.md §3.4); shut down for less (--for), or --force`;
  return undefined;
}

// Tells a node to power itself off a minute from now; a node the API cannot reach gets the
// ACPI power button through its BMC instead.
async function shutDownFromInside(ctx: AgentContext, node: AgentNode, apiUp: boolean): Promise<string | undefined> {
  if (apiUp) {
    try {
      await ctx.exec('oc', oc.hostShutdown(node.name), ocOptions(ctx));
      return undefined;
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      ctx.log(`shutdown: ${node.name}: oc debug failed (${(err as Error).message.split('\n')[0]}); trying its BMC`);
    }
  }
  const driver = ctx.bmc(node);
  if (!driver) return `${node.name} has a manual BMC and could not be shut down from inside: power it off by hand`;
  await driver.powerOff('soft');
  return 'shut down through its BMC (ACPI), the cluster could not reach it';
}

async function shutdownScheduled(ctx: AgentContext, node: AgentNode): Promise<boolean> {
  if (await bmcSaysOff(ctx, node)) return true;
  const r = await ctx.exec('oc', oc.hostShutdownShow(node.name), ocOptions(ctx)).catch(() => undefined);
  return r !== undefined && /^Shutdown scheduled for /m.test(r.stdout);
}

// Each node confirmed off through its BMC, and its step recorded.
async function confirmOff(
  ctx: AgentContext,
  node: AgentNode,
  once: (step: string, f: () => Promise<void>) => Promise<void>,
): Promise<void> {
  const off = await waitOff(ctx, node, once, 'the shutdown');
  if (off.how === 'manual') await nodeStep(ctx, node, 'off?', 'manual BMC: check that it is off');
  else await nodeStep(ctx, node, off.how, off.note);
}

export const shutdown: Operation = {
  kind: 'shutdown',
  title: 'cordon, drain the workers, shut every node down, confirm each off through its BMC',
  blocker: shutdownBlocker,
  async run(ctx, op, steps) {
    const { controlPlanes, workers } = siteNodes(ctx);
    const all = [...workers, ...controlPlanes];
    if (ctx.store.state.keeper?.power?.state !== 'shutting-down') await setSitePower(ctx, 'shutting-down', true);
    // Whether the cluster could be asked is decided once: a resumed shutdown does not cordon
    // nodes that are already off.
    const api = op.facts.api ?? (await steps.fact('api', (await lookAtCluster(ctx)).error ? 'down' : 'up'));
    if (api === 'up') {
      await timedStep(ctx, 'cordon', async () => {
        for (const n of all) {
          await steps.progress(`cordoning ${n.name}`);
          await steps.once(
            `cordon/${n.name}`,
            async () => void (await ctx.exec('oc', oc.cordon(n.name), ocOptions(ctx))),
            steps.resumed ? () => cordoned(ctx, n) : undefined,
          );
          await nodeStep(ctx, n, 'cordoned');
        }
      });
      await timedStep(ctx, 'drain', async () => {
        for (const n of workers) {
          await steps.progress(`draining ${n.name}`);
          await steps.once(`drain/${n.name}`, async () => {
            try {
              await ctx.exec('oc', oc.drain(n.name, ctx.options.drainTimeoutS), ocOptions(ctx));
              await nodeStep(ctx, n, 'drained');
            } catch (err) {
              if (ctx.signal.aborted) throw err;
              // A pod that will not leave must not keep the site on: it stops with the node.
              await nodeStep(ctx, n, 'cordoned', `not drained: ${(err as Error).message.split('\n')[0]}`);
            }
          });
        }
      });
    }
    await timedStep(ctx, 'shut down', async () => {
      for (const n of all) {
        await steps.progress(`shutting down ${n.name}`);
        await steps.once(
          `inside/${n.name}`,
          async () => {
            if (await bmcSaysOff(ctx, n)) return;
            const note = await shutDownFromInside(ctx, n, api === 'up');
            await nodeStep(ctx, n, 'shutting down', note);
          },
          // Killed right after the node was told: its systemd says so (or it is off already).
          steps.resumed && api === 'up' ? () => shutdownScheduled(ctx, n) : undefined,
        );
      }
    });
    await timedStep(ctx, 'confirm off', async () => {
      await steps.progress(`waiting for ${all.length} node(s) to power off (their BMCs)`);
      const results = await Promise.allSettled(all.map((n) => confirmOff(ctx, n, steps.once)));
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
      if (failed.length > 0) throw new PhaseError(failed.join('; '), { retryable: true });
    });
    await ctx.store.update((s) => {
      const power = keeperOf(ctx, s).power!;
      power.state = 'shut-down';
      power.since = ctx.now().toISOString();
    });
    const forced = ctx.store.state.keeper?.power?.nodes.filter((n) => n.step === 'forced-off').map((n) => n.name) ?? [];
    return `the site is shut down: ${all.length} node(s) off${forced.length ? ` (hard power-off: ${forced.join(', ')})` : ''}; fyr-agent power-on brings it back${op.options?.bastion === true ? '; the bastion powers off now' : ''}`;
  },
};

// The nodes' part of `fyr-agent apply` (docs/day2.md, "Nodes from an edited site file"): the
// plan's removed, replaced, updated and added nodes, in that order, run after the bastion's files
// are in place and its daemons reloaded, with the new site in `ctx` (so the CSR rule knows the
// new nodes). Each step goes through `steps.once`, so a resumed apply does none twice.
//   removed worker: cordon, drain, oc delete node, powered off through its BMC.
//   added worker (and a worker replaced: removed, then added): the cluster's pointer ignition
//   for workers (day2.md §2.2) and the Tang MachineConfig published, PXE on for its MAC only
//   (every other node's menu set aside, TFTP started), a one-time PXE boot and power-on through
//   its BMC, followed until it fetched its ignition, its CSRs approved until it is Ready, PXE off.
//   a control plane replaced: refused, with the documented procedure (not automated yet).
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PLACEHOLDER } from '../../formats/bastion-layout.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import type { NodeChange, Plan } from '../apply/plan.js';
import { approveSiteCsrs } from '../cluster/approve.js';
import { lookAtCluster, type ClusterRead } from '../cluster/look.js';
import { ocOptions } from '../cluster/oc.js';
import { PhaseError, type AgentContext } from '../context.js';
import { exists } from '../files.js';
import type { OperationSteps } from '../keeper/operations.js';
import { recordHealth } from '../keeper/state.js';
import type { AgentNode } from '../site.js';
import { fill, tangThumbprint } from '../tang.js';
import { oc } from '../tools.js';
import { parseAccessLog, stepOf } from '../watch-parse.js';
import { pollUntil, seconds, waitOff } from './site-power.js';

// The MachineConfig that binds a worker's disk to the bastion's Tang (rendered by fyr render).
export const WORKER_TANG_MANIFEST = '99-worker-tang-disk-encryption.yaml';
// Other nodes' PXE menus are renamed with this while one node installs.
const ASIDE = '.fyr-aside';

const macMenus = (mac: string) => {
  const dashed = mac.toLowerCase().replace(/:/g, '-');
  return [`pxelinux.cfg/01-${dashed}`, `uefi/grub.cfg-01-${dashed}`];
};

const notFound = (err: unknown) => /NotFound|not found/.test((err as Error).message);

async function removeWorker(ctx: AgentContext, steps: OperationSteps, n: AgentNode): Promise<void> {
  const key = `remove/${n.name}`;
  await steps.progress(`${n.name}: cordon and drain`);
  await steps.once(`${key}/cordon`, async () => {
    await ctx.exec('oc', oc.cordon(n.name), ocOptions(ctx)).catch((err) => {
      if (!notFound(err)) throw err;
    });
  });
  await steps.once(`${key}/drain`, async () => {
    await ctx.exec('oc', oc.drain(n.name, ctx.options.drainTimeoutS), ocOptions(ctx)).catch((err: Error) => {
      if (ctx.signal.aborted) throw err;
      // A pod that will not leave is stopped with the node.
      if (!notFound(err)) ctx.log(`apply: ${n.name}: not drained: ${err.message.split('\n')[0]}`);
    });
  });
  await steps.progress(`${n.name}: oc delete node`);
  await steps.once(`${key}/delete`, async () => {
    await ctx.exec('oc', oc.deleteNode(n.name), ocOptions(ctx)).catch((err) => {
      if (!notFound(err)) throw err;
    });
  });
  // Deleted, it would still rejoin at its next boot (day2.md §2.3): it is powered off.
  const driver = ctx.bmc(n);
  if (!driver) {
    ctx.log(`apply: ${n.name} has a manual BMC: power it off and take it away`);
    return;
  }
  await steps.progress(`${n.name}: powering off through its BMC (${driver.describe})`);
  await steps.once(`${key}/soft-off`, async () => {
    if ((await driver.powerState()) === 'On') await driver.powerOff('soft');
  });
  const off = await waitOff(ctx, n, (s, f) => steps.once(`${key}/${s}`, f), 'its ACPI power-off');
  if (off.note) ctx.log(`apply: ${n.name}: ${off.note}`);
}

// PXE for one MAC: every other node's menu set aside, TFTP on. Undone by pxeOff.
async function pxeOn(ctx: AgentContext, steps: OperationSteps, n: AgentNode): Promise<void> {
  const mine = new Set(macMenus(n.mac));
  await steps.once(`add/${n.name}/menus-aside`, async () => {
    for (const dir of ['pxelinux.cfg', 'uefi']) {
      for (const f of await readdir(join(ctx.paths.tftpRoot, dir)).catch(() => [] as string[])) {
        const rel = `${dir}/${f}`;
        if (/^(01-|grub\.cfg-01-)/.test(f) && !f.endsWith(ASIDE) && !mine.has(rel))
          await rename(join(ctx.paths.tftpRoot, rel), join(ctx.paths.tftpRoot, `${rel}${ASIDE}`));
      }
    }
  });
  await steps.once(`add/${n.name}/tftp-on`, () => ctx.services.start('tftp.socket'));
}

async function pxeOff(ctx: AgentContext): Promise<void> {
  await ctx.services.stop('tftp.socket');
  await rm(join(ctx.paths.contentRoot, 'ignition'), { recursive: true, force: true });
  for (const dir of ['pxelinux.cfg', 'uefi'])
    for (const f of await readdir(join(ctx.paths.tftpRoot, dir)).catch(() => [] as string[]))
      if (f.endsWith(ASIDE))
        await rename(join(ctx.paths.tftpRoot, dir, f), join(ctx.paths.tftpRoot, dir, f.slice(0, -ASIDE.length)));
}

// The worker pointer ignition from the cluster (its machine-config server serves the rest), and
// the Tang MachineConfig, which a cluster installed without workers never had applied.
async function publishIgnition(ctx: AgentContext, steps: OperationSteps, n: AgentNode): Promise<void> {
  await steps.once(`add/${n.name}/ignition`, async () => {
    const r = await ctx.exec('oc', oc.userData('worker'), ocOptions(ctx));
    try {
      JSON.parse(r.stdout);
    } catch {
      throw new PhaseError("the cluster's worker-user-data-managed secret does not hold an ignition config");
    }
    await mkdir(join(ctx.paths.contentRoot, 'ignition'), { recursive: true });
    await writeFileAtomic(join(ctx.paths.contentRoot, 'ignition', 'worker.ign'), r.stdout, { mode: 0o644 });
  });
  const tang = join(ctx.paths.manifestsDir, WORKER_TANG_MANIFEST);
  if (!ctx.site.diskEncryption.tang || !(await exists(tang))) return;
  await steps.once(`add/${n.name}/tang`, async () => {
    const text = fill(await readFile(tang, 'utf8'), PLACEHOLDER.tangThumbprint, await tangThumbprint(ctx));
    const file = join(ctx.paths.workDir, WORKER_TANG_MANIFEST);
    await mkdir(ctx.paths.workDir, { recursive: true });
    await writeFileAtomic(file, text, { mode: 0o600 });
    await ctx.exec('oc', oc.applyFile(file), ocOptions(ctx));
  });
}

async function fetchedIgnition(ctx: AgentContext, n: AgentNode, from: number): Promise<boolean> {
  const log = await readFile(ctx.paths.httpLog, 'latin1').catch(() => '');
  return parseAccessLog(log.slice(from)).some(
    (f) => f.ip === n.ip && f.status >= 200 && f.status < 400 && stepOf(f.path) === 'ignition',
  );
}

async function readyNow(ctx: AgentContext, n: AgentNode): Promise<boolean> {
  let seen: ClusterRead | undefined;
  const health = await lookAtCluster(ctx, (r) => (seen = r));
  await recordHealth(ctx, health);
  if (health.error) return false;
  await approveSiteCsrs(ctx, 'apply', seen).catch((err: Error) => ctx.log(`apply: CSRs: ${err.message}`));
  return (health.nodes ?? []).some((x) => (x.siteNode ?? x.name) === n.name && x.ready);
}

async function addWorker(ctx: AgentContext, steps: OperationSteps, n: AgentNode): Promise<void> {
  const key = `add/${n.name}`;
  const driver = ctx.bmc(n);
  await publishIgnition(ctx, steps, n);
  // Only fetches after this point count (a replaced worker fetched at the same address before).
  const from = Number(
    steps.facts[`${key}/log`] ??
      (await steps.fact(`${key}/log`, String((await stat(ctx.paths.httpLog).catch(() => undefined))?.size ?? 0))),
  );
  try {
    await pxeOn(ctx, steps, n);
    if (driver) {
      await steps.progress(`${n.name}: one-time PXE boot and power-on (${driver.describe})`);
      // Its power before the button, saved first: a resumed apply that finds an off machine
      // now on knows its power-on went out (the kill came before it was journalled).
      const was = steps.facts[`${key}/was`] ?? (await steps.fact(`${key}/was`, await driver.powerState()));
      await steps.once(
        `${key}/power`,
        async () => {
          await driver.pxeOnce();
          if (was === 'On') await driver.restart();
          else await driver.powerOn();
        },
        steps.resumed ? async () => was === 'Off' && (await driver.powerState()) === 'On' : undefined,
      );
    } else ctx.log(`apply: ${n.name} has a manual BMC: power it on and PXE-boot it from the LAN (MAC ${n.mac})`);
    await steps.progress(`${n.name}: waiting for its ignition fetch`);
    if (!(await pollUntil(ctx, ctx.options.watchTimeoutMs, () => fetchedIgnition(ctx, n, from))))
      throw new PhaseError(
        `${n.name} did not fetch its ignition within ${seconds(ctx.options.watchTimeoutMs)} (MAC ${n.mac}, ${n.ip}): look at its console through its BMC`,
        { retryable: true },
      );
    await steps.once(`${key}/pxe-off`, () => pxeOff(ctx));
  } catch (err) {
    // Never leave PXE on for a node that is not being installed; a kill resumes instead.
    if (!ctx.signal.aborted) await pxeOff(ctx).catch(() => undefined);
    throw err;
  }
  await steps.progress(`${n.name}: approving its CSRs until it is Ready`);
  if (!(await pollUntil(ctx, ctx.options.nodeBackTimeoutMs, () => readyNow(ctx, n))))
    throw new PhaseError(
      `${n.name} fetched its ignition but did not join Ready within ${seconds(ctx.options.nodeBackTimeoutMs)}: look at its console and at pending CSRs (fyr-agent status)`,
      { retryable: true },
    );
}

async function updateNode(ctx: AgentContext, steps: OperationSteps, c: NodeChange): Promise<void> {
  const n = c.new!;
  const driver = ctx.bmc(n);
  if (!driver || !c.changes.some((x) => x.field.startsWith('bmc.'))) return;
  await steps.progress(`${n.name}: checking its BMC record (${driver.describe})`);
  await driver.powerState();
}

export async function applyNodes(ctx: AgentContext, plan: Plan, steps: OperationSteps): Promise<void> {
  for (const c of plan.nodes) {
    if (c.role === 'control-plane' && c.action === 'replace')
      throw new PhaseError(
        `${c.name}: replacing a control-plane machine is not automated yet; follow "Replacing a control-plane node" in docs/day2.md (the bastion's files for the new MAC are in place)`,
      );
    if (c.action === 'update') await updateNode(ctx, steps, c);
    if (c.action === 'remove' || c.action === 'replace') await removeWorker(ctx, steps, c.old!);
    if (c.action === 'add' || c.action === 'replace') await addWorker(ctx, steps, c.new!);
  }
}

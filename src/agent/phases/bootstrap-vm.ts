// The bootstrap VM: a disk, the rendered libvirt domain, started. Each step checks libvirt
// first, so a resumed run neither defines it twice nor starts it twice.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PhaseError, once, type AgentContext, type Phase } from '../context.js';
import { exists } from '../files.js';
import { qemuImg, virsh } from '../tools.js';

export interface BootstrapDomain {
  name: string;
  disk: string;
}

export async function bootstrapDomain(ctx: AgentContext): Promise<BootstrapDomain> {
  const xml = await readFile(ctx.paths.bootstrapXml, 'utf8');
  const name = /<name>([^<]+)<\/name>/.exec(xml)?.[1];
  const disk = /<source file="([^"]+)"/.exec(xml)?.[1];
  if (!name || !disk) throw new PhaseError(`${ctx.paths.bootstrapXml}: no <name> or disk <source file=...>`);
  return { name, disk: join(ctx.paths.root, disk) };
}

export async function domainExists(ctx: AgentContext, name: string): Promise<boolean> {
  return (await ctx.exec('virsh', virsh.exists(name), { okCodes: [1] })).exitCode === 0;
}

export async function domainRunning(ctx: AgentContext, name: string): Promise<boolean> {
  const r = await ctx.exec('virsh', virsh.state(name), { okCodes: [1] });
  return r.exitCode === 0 && r.stdout.trim() === 'running';
}

export const bootstrapVm: Phase = {
  name: 'bootstrap-vm',
  title: 'create and start the bootstrap VM',
  attempts: 3,
  async precondition(ctx) {
    return (await exists(join(ctx.paths.contentRoot, 'ignition/bootstrap.ign')))
      ? undefined
      : 'bootstrap.ign is not published yet';
  },
  async run(ctx, progress) {
    const vm = await bootstrapDomain(ctx);
    await progress(`creating ${vm.name}`);
    await once(
      ctx,
      'bootstrap-disk',
      async () => {
        await mkdir(dirname(vm.disk), { recursive: true });
        await ctx.exec('qemu-img', qemuImg.create(vm.disk, ctx.options.bootstrapDiskGiB));
      },
      () => exists(vm.disk),
    );
    await once(
      ctx,
      'bootstrap-define',
      () => ctx.exec('virsh', virsh.define(ctx.paths.bootstrapXml)).then(() => undefined),
      () => domainExists(ctx, vm.name),
    );
    await progress(`starting ${vm.name}`);
    await once(
      ctx,
      'bootstrap-start',
      () => ctx.exec('virsh', virsh.start(vm.name)).then(() => undefined),
      () => domainRunning(ctx, vm.name),
    );
    await ctx.store.update((s) => {
      const record = s.nodes.find((n) => n.role === 'bootstrap');
      if (record) record.power = 'on';
    });
  },
};

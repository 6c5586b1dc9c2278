// The end of the install: bootstrap complete, pivot off the bootstrap VM, then CSRs approved
// until install-complete (the site's nodes' only), the credentials kept for root, and the PXE content switched off.
import { chmod, copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BOOTSTRAP_MARK } from '../../formats/bastion-layout.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { approveSiteCsrs } from '../cluster/approve.js';
import { once, PhaseError, type Phase } from '../context.js';
import { exists } from '../files.js';
import { openshiftInstall, virsh } from '../tools.js';
import { bootstrapDomain, domainExists, domainRunning } from './bootstrap-vm.js';

const WAIT_MS = 90 * 60_000;

export const bootstrapComplete: Phase = {
  name: 'bootstrap-complete',
  title: 'openshift-install wait-for bootstrap-complete',
  attempts: 3,
  async run(ctx, progress) {
    await progress('waiting for the bootstrap control plane to hand over');
    await ctx.exec('openshift-install', openshiftInstall.waitBootstrap(ctx.paths.installDir), {
      timeoutMs: WAIT_MS,
      signal: ctx.signal,
    });
  },
};

export function withoutBootstrap(haproxy: string): string {
  return haproxy
    .split('\n')
    .filter((line) => !line.includes(`# ${BOOTSTRAP_MARK}`))
    .join('\n');
}

export const pivot: Phase = {
  name: 'pivot',
  title: 'remove the bootstrap VM from libvirt and HAProxy',
  attempts: 3,
  async run(ctx, progress) {
    const vm = await bootstrapDomain(ctx);
    await progress(`removing ${vm.name}`);
    if (await domainRunning(ctx, vm.name)) await ctx.exec('virsh', virsh.destroy(vm.name));
    if (await domainExists(ctx, vm.name)) await ctx.exec('virsh', virsh.undefine(vm.name));
    await rm(vm.disk, { force: true });
    await progress('taking the bootstrap servers out of HAProxy');
    const cfg = await readFile(ctx.paths.haproxyCfg, 'utf8');
    const next = withoutBootstrap(cfg);
    if (next !== cfg) await writeFileAtomic(ctx.paths.haproxyCfg, next);
    await once(ctx, 'haproxy-reload-after-pivot', () => ctx.services.reload('haproxy'));
    if (!(await ctx.services.isActive('haproxy')))
      throw new PhaseError('haproxy is not running after the reload without the bootstrap servers', {
        retryable: true,
      });
  },
};

export const finish: Phase = {
  name: 'finish',
  title: 'approve CSRs, wait for install-complete, switch PXE off',
  attempts: 3,
  async run(ctx, progress) {
    await progress("approving the site's node CSRs until the install completes");
    let complete = false;
    // The installer prints the kubeadmin password when it is done: never in a log or an error.
    const password = await readFile(join(ctx.paths.installDir, 'auth', 'kubeadmin-password'), 'utf8').catch(() => '');
    const waiting = ctx
      .exec('openshift-install', openshiftInstall.waitInstall(ctx.paths.installDir), {
        timeoutMs: WAIT_MS,
        signal: ctx.signal,
        secrets: password.trim() ? [password.trim()] : [],
      })
      .finally(() => {
        complete = true;
      });
    // Workers join only once their CSRs are approved; keep approving while the installer waits.
    const approving = (async () => {
      while (!complete) {
        // The API comes and goes while the control plane settles: a failed look is retried.
        await approveSiteCsrs(ctx, 'finish').catch((err: Error) =>
          ctx.log(`finish: cannot list CSRs yet: ${err.message}`),
        );
        if (!complete) await ctx.sleep(ctx.options.pollMs);
      }
    })();
    await Promise.all([waiting, approving]);
    await approveSiteCsrs(ctx, 'finish');
    await progress('keeping the kubeconfig and kubeadmin password for root');
    await mkdir(ctx.paths.authDir, { recursive: true, mode: 0o700 });
    await chmod(ctx.paths.authDir, 0o700);
    for (const name of ['kubeconfig', 'kubeadmin-password']) {
      const from = join(ctx.paths.installDir, 'auth', name);
      if (await exists(from)) {
        await copyFile(from, join(ctx.paths.authDir, name));
        await chmod(join(ctx.paths.authDir, name), 0o600);
      }
    }
    await progress('switching off PXE: tftp and the ignition files');
    await ctx.services.stop('tftp.socket');
    await rm(join(ctx.paths.contentRoot, 'ignition'), { recursive: true, force: true });
  },
};

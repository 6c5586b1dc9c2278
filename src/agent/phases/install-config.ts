// Install config and ignition, made on site (bootstrap certificates expire 24 h after they are
// made): fill the registry's pull secret, CA and mirrors into install-config.yaml, create
// manifests, add the release signature ConfigMap and the Tang MachineConfigs, create ignition configs, publish them on the content server.
// Built in install.tmp and renamed when complete, so the certificates are made exactly once.
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PLACEHOLDER } from '../../formats/bastion-layout.js';
import { PhaseError, type AgentContext, type Phase } from '../context.js';
import { copyAtomic, exists } from '../files.js';
import { fill, tangThumbprint } from '../tang.js';
import { openshiftInstall } from '../tools.js';
import { registryFiles, registryHost } from '../registry.js';
import { digestSourcesOn } from '../../formats/digest-sources.js';

export const RELEASE_SIGNATURE_MANIFEST = '99_fyr-release-signature.yaml';

export const IGNITION_FILES = ['bootstrap.ign', 'master.ign', 'worker.ign'];

async function create(ctx: AgentContext, progress: (d: string) => Promise<void>): Promise<void> {
  const f = registryFiles(ctx);
  const tmp = `${ctx.paths.installDir}.tmp`;
  // A half-made directory from an interrupted run: nothing in it was published, start again.
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true, mode: 0o700 });
  let config = await readFile(ctx.paths.installConfigTemplate, 'utf8');
  config = fill(config, PLACEHOLDER.pullSecret, (await readFile(f.pullSecret, 'utf8')).trim());
  config = fill(config, PLACEHOLDER.registryCa, await readFile(f.cert, 'utf8'));
  // JSON is YAML: the list goes in as a flow sequence.
  const sources = digestSourcesOn(registryHost(ctx), ctx.release.registry?.imageDigestSources);
  config = config.split(`"${PLACEHOLDER.imageDigestSources}"`).join(JSON.stringify(sources));
  await writeFile(join(tmp, 'install-config.yaml'), config, { mode: 0o600 });
  // openshift-install consumes install-config.yaml; keep a copy for the technician.
  await writeFile(join(ctx.paths.stateDir, 'install-config.used.yaml'), config, { mode: 0o600 });
  await progress('openshift-install create manifests');
  await ctx.exec('openshift-install', openshiftInstall.manifests(tmp), { timeoutMs: 30 * 60_000 });
  const extra = (await readdir(ctx.paths.manifestsDir).catch(() => [] as string[])).filter((n) => n.endsWith('.yaml'));
  if (extra.length > 0) {
    const thumbprint = await tangThumbprint(ctx);
    await mkdir(join(tmp, 'openshift'), { recursive: true });
    for (const name of extra) {
      const text = fill(
        await readFile(join(ctx.paths.manifestsDir, name), 'utf8'),
        PLACEHOLDER.tangThumbprint,
        thumbprint,
      );
      await writeFile(join(tmp, 'openshift', name), text);
    }
  }
  // The release's signature ConfigMap, so the cluster can verify the mirrored release offline.
  const signature = ctx.release.payload.find((p) => p.role === 'release-signature');
  if (signature) {
    await mkdir(join(tmp, 'openshift'), { recursive: true });
    await copyFile(join(await ctx.media(), signature.path), join(tmp, 'openshift', RELEASE_SIGNATURE_MANIFEST));
  }
  await progress('openshift-install create ignition-configs');
  await ctx.exec('openshift-install', openshiftInstall.ignition(tmp), { timeoutMs: 30 * 60_000 });
  for (const name of IGNITION_FILES)
    if (!(await exists(join(tmp, name))))
      throw new PhaseError(`openshift-install create ignition-configs made no ${name}`);
  await rename(tmp, ctx.paths.installDir);
}

export const installConfig: Phase = {
  name: 'install-config',
  title: 'install-config.yaml, manifests, Tang MachineConfigs, ignition',
  attempts: 2,
  async precondition(ctx) {
    const f = registryFiles(ctx);
    if (!(await exists(f.pullSecret)) || !(await exists(f.cert)))
      return 'the registry pull secret and CA are missing (the payload phase makes them)';
    if (!(await exists(ctx.paths.installConfigTemplate)))
      return `${ctx.paths.installConfigTemplate} is missing from the bundle`;
    return undefined;
  },
  async run(ctx, progress) {
    if (!(await exists(join(ctx.paths.installDir, 'metadata.json')))) await create(ctx, progress);
    await progress('publishing ignition on the content server');
    const published = join(ctx.paths.contentRoot, 'ignition');
    await mkdir(published, { recursive: true });
    for (const name of IGNITION_FILES) await copyAtomic(join(ctx.paths.installDir, name), join(published, name));
  },
};

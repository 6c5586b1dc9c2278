// The bastion's registry, shared by the phases that set it up (payload), point the install at
// it (install-config) and move it off the stick (registry-copy): its files, its container and
// the place it serves a release's registry tree from.
//
// The tree is served from <registry>/serve/current, a relative symlink to `stick` (the stick's
// tree, bind-mounted there read-only) or `disk` (the copy). The container mounts serve with
// rslave propagation, so the switch to the copy is one rename of the symlink (a request
// resolves its path through one or the other, both the same bytes: no pull fails), and the
// stick's mount is then taken away from under the running registry (the unmount propagates
// into its mount namespace; refused while a read is in flight, so it is asked again).
import { createHash } from 'node:crypto';
import { mkdir, readFile, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PORTS } from '../formats/bastion-layout.js';
import { IMAGE_CONFIG_PATH } from '../registry/config.js';
import { PhaseError, type AgentContext } from './context.js';
import { isMountPoint } from './mounts.js';
import { httpGet } from './probes.js';
import { mount, podman, REGISTRY_USER } from './tools.js';

// Inside the container: the serve directory, and the root the registry's config names.
const SERVE_MOUNT = '/var/lib/registry';
export const SERVE_ROOT = `${SERVE_MOUNT}/current`;

export type ServedFrom = 'stick' | 'disk';

export const registryHost = (ctx: AgentContext) => `${ctx.site.bastion.fqdn}:${PORTS.registry}`;

export const registryFiles = (ctx: AgentContext) => {
  const dir = ctx.paths.registryDir;
  const serve = join(dir, 'serve');
  return {
    certDir: join(dir, 'certs'),
    cert: join(dir, 'certs/registry.crt'),
    key: join(dir, 'certs/registry.key'),
    authDir: join(dir, 'auth'),
    htpasswd: join(dir, 'auth/htpasswd'),
    password: join(dir, 'password'),
    image: join(dir, 'image'),
    data: join(dir, 'data'),
    // The read-only registry's config.yml (releases with a registry tree).
    config: join(dir, 'config.yml'),
    // What the container mounts; `current` in it names where the tree is served from.
    serve,
    current: join(serve, 'current'),
    stick: join(serve, 'stick'),
    // The tree copied from the stick (registry-copy phase) and its journal.
    tree: join(serve, 'disk'),
    treeJournal: join(dir, 'tree.copied'),
    pullSecret: join(ctx.paths.authDir, 'pull-secret.json'),
  };
};

// The registry over the serve directory, read-only.
export function readOnlyRegistry(ctx: AgentContext, image: string): string[] {
  const f = registryFiles(ctx);
  return podman.runReadOnlyRegistry({
    image,
    port: PORTS.registry,
    serveDir: f.serve,
    serveMount: SERVE_MOUNT,
    config: f.config,
    configPath: IMAGE_CONFIG_PATH,
    certDir: f.certDir,
    authDir: f.authDir,
  });
}

export async function servedFrom(ctx: AgentContext): Promise<ServedFrom | undefined> {
  const to = await readlink(registryFiles(ctx).current).catch(() => undefined);
  return to === 'stick' || to === 'disk' ? to : undefined;
}

// The stick's tree made servable: serve a shared mount (so what is mounted in it reaches the
// container), the tree bound read-only at serve/stick, `current` naming it unless the copy
// took over. True when the stick's tree was mounted now, i.e. a container started before (the
// bastion rebooted) does not see it and must be started again.
export async function mountStickTree(ctx: AgentContext, media: string): Promise<boolean> {
  const f = registryFiles(ctx);
  const tree = ctx.release.registry!;
  await mkdir(f.stick, { recursive: true });
  await mkdir(f.tree, { recursive: true });
  if (!(await isMountPoint(f.serve))) {
    await ctx.exec('mount', mount.bind(f.serve, f.serve));
    await ctx.exec('mount', mount.makeShared(f.serve));
  }
  let mounted = false;
  if (!(await isMountPoint(f.stick))) {
    await ctx.exec('mount', mount.bindReadOnly(join(media, tree.path), f.stick));
    mounted = true;
  }
  if ((await servedFrom(ctx)) === undefined) await pointAt(ctx, 'stick');
  return mounted;
}

// One rename: every request after it resolves its paths on the copy.
export async function pointAt(ctx: AgentContext, to: ServedFrom): Promise<void> {
  const f = registryFiles(ctx);
  const temp = `${f.current}.new`;
  await rm(temp, { force: true });
  await symlink(to, temp);
  await rename(temp, f.current);
}

// The stick's tree unmounted from under the registry, once no read is in flight on it.
export async function unmountStickTree(
  ctx: AgentContext,
  progress: (detail: string) => Promise<void>,
  timeoutMs = 10 * 60_000,
): Promise<void> {
  const f = registryFiles(ctx);
  if (!(await isMountPoint(f.stick))) return;
  const start = ctx.now().getTime();
  // umount exits 32 while the mount is busy: a blob still read by a pull begun before the switch.
  while ((await ctx.exec('umount', mount.unmount(f.stick), { okCodes: [32] })).exitCode !== 0) {
    if (!(await isMountPoint(f.stick))) return;
    if (ctx.now().getTime() - start > timeoutMs)
      throw new PhaseError(`the stick's registry tree is still in use after ${timeoutMs / 60_000} min`, {
        retryable: true,
      });
    await progress('waiting for the last reads from the stick to finish');
    await ctx.sleep(1000);
  }
}

// The release image's manifest, asked for as a node would (authenticated, by tag), must be the
// release the content pinned: proof that the tree served is the one the install needs.
export async function releaseManifest(ctx: AgentContext, ca: string): Promise<void> {
  const tree = ctx.release.registry!;
  const [repo, tag] = tree.releaseTag.split(':') as [string, string];
  const password = (await readFile(registryFiles(ctx).password, 'utf8')).trim();
  const r = await httpGet(`https://${ctx.site.network.lan.bastion}:${PORTS.registry}/v2/${repo}/manifests/${tag}`, {
    ca,
    servername: ctx.site.bastion.fqdn,
    auth: `${REGISTRY_USER}:${password}`,
    headers: { accept: MANIFEST_TYPES },
  });
  if (r.status !== 200)
    throw new PhaseError(
      `the registry answered ${r.status} for ${tree.releaseTag} (is the stick's registry tree intact?)`,
      { retryable: true },
    );
  const digest = `sha256:${createHash('sha256').update(r.body).digest('hex')}`;
  const pinned = ctx.release.release.image?.split('@')[1];
  if (pinned && digest !== pinned)
    throw new PhaseError(`the registry serves ${tree.releaseTag} as ${digest}; the release pinned ${pinned}`);
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

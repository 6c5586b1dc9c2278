// Payload: RHCOS images onto the content server, the installers into /usr/local/bin, and the
// local registry, whose certificate and password are made here, once. A release with a
// registry tree (fyr-content/2) is served read-only straight from the mounted stick: no untar,
// no push. An older release's mirror archive is untarred and pushed with oc image mirror.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PORTS } from '../../formats/bastion-layout.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { PhaseError, once, type AgentContext, type Phase } from '../context.js';
import { copyAtomic, exists } from '../files.js';
import { httpGet, until } from '../probes.js';
import { IMAGE_CONFIG_PATH, registryConfig } from '../../registry/config.js';
import { htpasswd, oc, openssl, podman, REGISTRY_USER } from '../tools.js';

// Where each payload role goes on the bastion, relative to the content root or the bin dir.
const CONTENT: Record<string, string> = {
  'rhcos-kernel': 'rhcos/kernel',
  'rhcos-initramfs': 'rhcos/initramfs.img',
  'rhcos-rootfs': 'rhcos/rootfs.img',
  'rhcos-metal': 'rhcos/metal.raw.gz',
};
const BINARIES: Record<string, string> = { 'openshift-install': 'openshift-install', oc: 'oc' };

export const registryHost = (ctx: AgentContext) => `${ctx.site.bastion.fqdn}:${PORTS.registry}`;

export const registryFiles = (ctx: AgentContext) => {
  const dir = ctx.paths.registryDir;
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
    // The tree copied from the stick (registry-copy phase) and its journal.
    tree: join(dir, 'tree'),
    treeJournal: join(dir, 'tree.copied'),
    pullSecret: join(ctx.paths.authDir, 'pull-secret.json'),
  };
};

function payloadFile(ctx: AgentContext, role: string): { path: string } {
  const f = ctx.release.payload.find((p) => p.role === role);
  if (!f) throw new PhaseError(`release.json lists no ${role} file; this release cannot install a site`);
  return f;
}

async function installFiles(ctx: AgentContext, media: string): Promise<void> {
  for (const [role, to] of Object.entries(CONTENT)) {
    // fyr-content/2 carries no metal image: no PXE menu names one.
    if (role === 'rhcos-metal' && ctx.release.registry && !ctx.release.payload.some((p) => p.role === role)) continue;
    await once(ctx, `copy:${role}`, () =>
      copyAtomic(join(media, payloadFile(ctx, role).path), join(ctx.paths.contentRoot, to)),
    );
  }
  for (const [role, to] of Object.entries(BINARIES)) {
    await once(ctx, `copy:${role}`, () =>
      copyAtomic(join(media, payloadFile(ctx, role).path), join(ctx.paths.binDir, to), 0o755),
    );
  }
}

async function registryCredentials(ctx: AgentContext): Promise<void> {
  const f = registryFiles(ctx);
  await mkdir(f.certDir, { recursive: true, mode: 0o700 });
  await mkdir(f.authDir, { recursive: true, mode: 0o700 });
  await mkdir(ctx.paths.authDir, { recursive: true, mode: 0o700 });
  const ip = ctx.site.network.lan.bastion;
  await once(
    ctx,
    'registry-cert',
    () =>
      ctx
        .exec('openssl', openssl.registryCert({ key: f.key, cert: f.cert, fqdn: ctx.site.bastion.fqdn, ip }))
        .then(() => chmod(f.key, 0o600)),
    async () => (await exists(f.cert)) && (await exists(f.key)),
  );
  // The nodes and openshift-install trust the registry through the system trust store.
  await once(ctx, 'registry-ca-trust', async () => {
    await copyAtomic(f.cert, ctx.paths.caAnchor);
    await ctx.exec('update-ca-trust', ['extract']);
  });
  await once(
    ctx,
    'registry-password',
    () => writeFileAtomic(f.password, randomBytes(24).toString('base64url'), { mode: 0o600 }),
    () => exists(f.password),
  );
  const password = (await readFile(f.password, 'utf8')).trim();
  await once(ctx, 'registry-htpasswd', () =>
    ctx.exec('htpasswd', htpasswd(f.htpasswd), { input: `${password}\n`, secrets: [password] }).then(() => undefined),
  );
  const auth = Buffer.from(`${REGISTRY_USER}:${password}`).toString('base64');
  await writeFileAtomic(f.pullSecret, `${JSON.stringify({ auths: { [registryHost(ctx)]: { auth } } })}\n`, {
    mode: 0o600,
  });
}

async function registry(ctx: AgentContext, media: string, progress: (d: string) => Promise<void>): Promise<void> {
  const f = registryFiles(ctx);
  await progress('loading the registry image');
  await once(
    ctx,
    'registry-image',
    async () => {
      const out = (await ctx.exec('podman', podman.load(join(media, payloadFile(ctx, 'registry-image').path)))).stdout;
      const image = /Loaded image(?:\(s\))?:\s*(\S+)/.exec(out)?.[1];
      if (!image) throw new PhaseError(`podman load printed no image name: ${out.trim().slice(0, 200)}`);
      await writeFileAtomic(f.image, `${image}\n`);
    },
    () => exists(f.image),
  );
  const image = (await readFile(f.image, 'utf8')).trim();
  const tree = ctx.release.registry;
  if (tree)
    await writeFileAtomic(
      f.config,
      registryConfig({
        root: '/var/lib/registry',
        addr: ':5000',
        readonly: true,
        tls: { certificate: '/certs/registry.crt', key: '/certs/registry.key' },
        htpasswd: { realm: 'fyr', path: '/auth/htpasswd' },
      }),
    );
  else await mkdir(f.data, { recursive: true });
  const present = (await ctx.exec('podman', podman.containerExists(), { okCodes: [1] })).exitCode === 0;
  if (!present)
    await ctx.exec(
      'podman',
      tree
        ? readOnlyRegistry(ctx, image, join(media, tree.path))
        : podman.runRegistry({ image, port: PORTS.registry, dataDir: f.data, certDir: f.certDir, authDir: f.authDir }),
    );
  else if ((await ctx.exec('podman', podman.containerRunning())).stdout.trim() !== 'true')
    await ctx.exec('podman', podman.startContainer());
  const ca = await readFile(f.cert, 'utf8');
  await until(
    async () => {
      const r = await httpGet(`https://${ctx.site.network.lan.bastion}:${PORTS.registry}/v2/`, {
        ca,
        servername: ctx.site.bastion.fqdn,
      });
      // 401 is the healthy answer of a registry that wants a login.
      if (r.status !== 200 && r.status !== 401) throw new Error(`the registry answered /v2/ with ${r.status}`);
    },
    60_000,
    ctx.sleep,
  ).catch((err: Error) => {
    throw new PhaseError(`the local registry does not answer on port ${PORTS.registry}: ${err.message}`, {
      retryable: true,
    });
  });
  if (tree) {
    await progress(`serving ${tree.files} registry files read-only from the install media`);
    await releaseManifest(ctx, ca);
    return;
  }
  await progress('loading the release mirror into the registry');
  const mirrorDir = join(ctx.paths.workDir, 'mirror');
  await once(ctx, 'mirror-extract', async () => {
    await rm(mirrorDir, { recursive: true, force: true });
    await mkdir(mirrorDir, { recursive: true });
    await ctx.exec('tar', ['-xf', join(media, payloadFile(ctx, 'release-mirror').path), '-C', mirrorDir]);
  });
  await once(ctx, 'mirror-push', () =>
    ctx
      .exec('oc', oc.mirror(f.pullSecret, mirrorDir, ctx.release.release.openshift, registryHost(ctx)))
      .then(() => undefined),
  );
}

// The registry over a tree (the stick's, or its copy on disk), read-only.
export function readOnlyRegistry(ctx: AgentContext, image: string, treeDir: string): string[] {
  const f = registryFiles(ctx);
  return podman.runReadOnlyRegistry({
    image,
    port: PORTS.registry,
    treeDir,
    config: f.config,
    configPath: IMAGE_CONFIG_PATH,
    certDir: f.certDir,
    authDir: f.authDir,
  });
}

// The release image's manifest, asked for as a node would (authenticated, by tag), must be the
// release the content pinned: proof that the tree on the stick is the one the install needs.
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
      {
        retryable: true,
      },
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

export const payload: Phase = {
  name: 'payload',
  title: 'RHCOS images, installers, local registry and release mirror',
  attempts: 3,
  async run(ctx, progress) {
    const media = await ctx.media();
    await progress('copying RHCOS images and the installers');
    await installFiles(ctx, media);
    await progress('registry certificate and credentials');
    await registryCredentials(ctx);
    await registry(ctx, media, progress);
  },
};

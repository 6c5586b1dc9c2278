// Payload: RHCOS images onto the content server, the installers into /usr/local/bin, and the
// local registry, whose certificate and password are made here, once. A release with a
// registry tree (fyr-content/2) is served read-only straight from the mounted stick: no untar,
// no push. An older release's mirror archive is untarred and pushed with oc image mirror.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PORTS } from '../../formats/bastion-layout.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { PhaseError, once, type AgentContext, type Phase } from '../context.js';
import { copyAtomic, exists } from '../files.js';
import { httpGet, until } from '../probes.js';
import { registryConfig } from '../../registry/config.js';
import {
  mountStickTree,
  readOnlyRegistry,
  registryFiles,
  registryHost,
  releaseManifest,
  SERVE_ROOT,
  servedFrom,
} from '../registry.js';
import { htpasswd, oc, openssl, podman, REGISTRY_USER } from '../tools.js';
import { BINARY_PLACES, CONTENT_PLACES } from '../payload-places.js';

// Where each payload role goes on the bastion (shared with an upgrade).
const CONTENT = CONTENT_PLACES;
const BINARIES = BINARY_PLACES;

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
  // Made under names of this run's own and renamed into place, key first: an openssl left
  // running by a killed agent writes only its own names, so the key and certificate in place
  // are always one pair, and the certificate there means both are whole.
  await once(
    ctx,
    'registry-cert',
    async () => {
      const tmp = { key: `${f.key}.${process.pid}.new`, cert: `${f.cert}.${process.pid}.new` };
      await ctx.exec('openssl', openssl.registryCert({ ...tmp, fqdn: ctx.site.bastion.fqdn, ip }));
      await chmod(tmp.key, 0o600);
      await rename(tmp.key, f.key);
      await rename(tmp.cert, f.cert);
    },
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
  let restart = false;
  if (tree) {
    await writeFileAtomic(
      f.config,
      registryConfig({
        root: SERVE_ROOT,
        addr: ':5000',
        readonly: true,
        tls: { certificate: '/certs/registry.crt', key: '/certs/registry.key' },
        htpasswd: { realm: 'fyr', path: '/auth/htpasswd' },
      }),
    );
    restart = await mountStickTree(ctx, media);
  } else await mkdir(f.data, { recursive: true });
  const present = (await ctx.exec('podman', podman.containerExists(), { okCodes: [1] })).exitCode === 0;
  // A container started before the stick's tree was mounted (a reboot mid-payload) cannot see it.
  if (present && restart) await ctx.exec('podman', podman.removeContainer());
  if (!present || restart)
    await ctx.exec(
      'podman',
      tree
        ? readOnlyRegistry(ctx, image)
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
  // Rebooted before the registry moved to the disk: the stick's tree is mounted again, and the
  // container (started at boot, before the mount) started again on it.
  async restore(ctx) {
    if (!ctx.release.registry || (await servedFrom(ctx)) === 'disk') return;
    const media = await ctx.media().catch((err: Error) => {
      throw new PhaseError(
        `the install media is needed until the registry is copied to the disk (${err.message}): insert the stick, then run systemctl restart fyr-agent`,
      );
    });
    if (!(await mountStickTree(ctx, media))) return;
    ctx.log("payload: the stick's registry tree mounted again; the registry restarted on it");
    const image = (await readFile(registryFiles(ctx).image, 'utf8')).trim();
    await ctx.exec('podman', podman.removeContainer());
    await ctx.exec('podman', readOnlyRegistry(ctx, image));
    const ca = await readFile(registryFiles(ctx).cert, 'utf8');
    await until(() => releaseManifest(ctx, ca), 60_000, ctx.sleep);
  },
};

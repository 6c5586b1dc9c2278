// fyr content: a release's content directory from an OpenShift version, on a connected machine.
// Resolve and pin the release, verify its signature, extract oc and openshift-install, read
// RHCOS from the installer's stream and download it through the cache, mirror the release into
// a loopback registry whose tree lands in the directory, save the registry's image, self-check
// the tree, write fyr-content.json (fyr-content/2). Built under a temporary sibling and renamed:
// a failure leaves nothing at DIR, while the cache keeps every verified download.
import { existsSync, statSync } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FyrError } from '../errors.js';
import type { OperatorRequest } from '../formats/operator-catalog.js';
import type { ContentRole } from '../release/content-schema.js';
import { sha256File } from '../registry/tree.js';
import { tempSibling } from '../util/fs.js';
import { throwIfAborted, type LongWork, type ProgressEvent } from '../util/progress.js';
import { runTool } from '../util/tools.js';
import { writeError } from '../util/write-error.js';
import { BASE_LISTING, dropBase, listingText, readBase, type Base } from './delta.js';
import { download } from './download.js';
import { upgradeChannels } from './image-set.js';
import { checkAskedPath } from './upgrade.js';
import { compareVersions, describePath, type UpgradeHop, type UpgradePath } from '../formats/upgrade-path.js';
import { treeHash } from '../registry/tree.js';
import { mirrorRelease } from './mirror-release.js';
import { extractTools, otherVersions } from './release-tools.js';
import { DOCKER_LIST, saveRegistryImage } from './registry-image.js';
import { checkPullSecret, resolveRelease, type Arch } from './release-info.js';
import { signatureConfigMap, verifySignature, type VerifiedSignature } from './signature.js';
import { openshiftInstall, RELEASE_REPO } from './tools.js';
import { readStream, type RhcosArtifacts } from './stream.js';

export type ContentEvent = ProgressEvent<'step' | 'download' | 'mirror' | 'warning'>;

export interface ContentOptions extends LongWork<ContentEvent> {
  version: string;
  arch: Arch;
  pullSecret: string;
  out: string;
  cache: string;
  additionalImages: readonly string[];
  // Operator packages to mirror from the catalog of the release's minor, with their dependencies.
  operators?: readonly OperatorRequest[];
  signatureKey?: string | undefined;
  signatureUrl: string;
  insecureSkipSignature: boolean;
  // What skopeo copies as the bastion's registry image (any transport: docker://, oci:...).
  registryImage: string;
  force?: boolean;
  mirrorAttempts?: number;
  retryDelayMs?: number;
  downloadBackoffMs?: number;
  // fyr content --from: the version the site runs; the release is reached through the shortest
  // path of the channels (--via versions in between, --channel eus for EUS channels).
  from?: string | undefined;
  via?: readonly string[] | undefined;
  channel?: 'stable' | 'eus' | undefined;
  // fyr content --delta-from: an older content directory or release ISO whose tree is left out.
  deltaFrom?: string | undefined;
}

export interface ContentResult {
  out: string;
  manifest: Record<string, unknown>;
  downloaded: number;
  reused: number;
}

// The registry image's name in the archive: what `podman load` prints and the agent runs.
export const REGISTRY_IMAGE_NAME = 'docker.io/library/registry:2';

interface Entry {
  path: string;
  role: ContentRole;
  size: number;
  sha256: string;
}

export async function buildContent(o: ContentOptions): Promise<ContentResult> {
  const out = resolve(o.out);
  const emit = o.onProgress ?? (() => {});
  const step = (message: string) => emit({ phase: 'step', message });
  if (existsSync(out) && !o.force) throw new FyrError('OUTPUT_EXISTS', `${o.out} exists; pass --force to replace it`);
  if (o.from !== undefined) checkAskedPath(o.from, o.version, o.via ?? []);
  await checkPullSecret(o.pullSecret);
  // The base is read first: a wrong OLD fails before anything is downloaded.
  let base: Base | undefined;
  if (o.deltaFrom !== undefined) {
    base = await readBase(o.deltaFrom);
    if (base.arch && base.arch !== o.arch)
      throw new FyrError(
        'DELTA_BASE_INVALID',
        `--delta-from ${o.deltaFrom}: ${base.base.name} is a release for ${base.arch}, not ${o.arch}`,
      );
    if (compareVersions(base.base.openshift, o.version) >= 0)
      throw new FyrError(
        'DELTA_BASE_INVALID',
        `--delta-from ${o.deltaFrom}: ${base.base.name} (OpenShift ${base.base.openshift}) is not older than ${o.version}`,
      );
  }
  await mkdir(dirname(out), { recursive: true });
  const tmp = tempSibling(out);
  const cache = resolve(o.cache);
  try {
    await mkdir(tmp);
    step(`resolving OpenShift ${o.version} for ${o.arch}`);
    const release = await resolveRelease(o.pullSecret, o.version, o.arch, o.signal);
    step(`pinned ${release.pinned}`);
    const files: Entry[] = [];
    const add = async (path: string, role: ContentRole, sha256?: string) => {
      const abs = join(tmp, path);
      files.push({ path, role, size: statSync(abs).size, sha256: sha256 ?? (await sha256File(abs)) });
    };
    const put = async (path: string, data: string | Buffer) => {
      await mkdir(dirname(join(tmp, path)), { recursive: true });
      await writeFile(join(tmp, path), data).catch((err: unknown) => {
        throw writeError(err, join(o.out, path));
      });
    };
    let signature: VerifiedSignature | undefined;
    if (o.insecureSkipSignature)
      emit({
        phase: 'warning',
        message: `the signature of ${release.pinned} is NOT checked (--insecure-skip-signature); this is recorded in fyr-content.json and release.json`,
      });
    else {
      step('verifying the release signature');
      signature = await verifySignature({
        digest: release.digest,
        key: o.signatureKey,
        base: o.signatureUrl,
        signal: o.signal,
      });
      await put('manifests/release-signature.yaml', signatureConfigMap(release.digest, signature.bytes));
      await add('manifests/release-signature.yaml', 'release-signature');
    }
    const tools = await extractTools(tmp, o, release);
    await add('bin/openshift-install', 'openshift-install');
    await add('bin/oc', 'oc');
    step("reading RHCOS from the installer's stream");
    const streamText = (
      await runTool(join(tmp, 'bin/openshift-install'), openshiftInstall.printStream(), { signal: o.signal })
    ).stdout;
    const rhcos = readStream(streamText, o.arch);
    await put('rhcos/stream.json', streamText);
    await add('rhcos/stream.json', 'rhcos-stream');
    const counts = await fetchRhcos(tmp, cache, rhcos, o, add);
    const asked = o.operators ?? [];
    step(
      `mirroring the release images${asked.length > 0 ? ` and ${asked.length} operator package(s) with their dependencies` : ''} into the registry tree (oc-mirror)`,
    );
    const mirrored = await mirrorRelease(tmp, cache, release, signature, {
      ...o,
      upgrade:
        o.from === undefined
          ? undefined
          : {
              from: o.from,
              channels: upgradeChannels(o.from, o.version, o.via ?? [], o.channel ?? 'stable'),
              signatureUrl: o.signatureUrl,
            },
    });
    const { operators, kept } = mirrored;
    let registry: Record<string, unknown> = mirrored.registry;
    for (const k of kept) await add(k.path, k.role);
    let upgrade: UpgradePath | undefined;
    if (o.from !== undefined && mirrored.hops) {
      const hops: UpgradeHop[] = [];
      for (const h of mirrored.hops) {
        const image = `${RELEASE_REPO}@${h.digest}`;
        if (o.insecureSkipSignature) {
          hops.push({ version: h.version, image, signature: 'skipped', releaseTag: h.releaseTag });
          continue;
        }
        step(`verifying the signature of ${h.version}`);
        const sig =
          h.digest === release.digest
            ? signature!
            : await verifySignature({ digest: h.digest, key: o.signatureKey, base: o.signatureUrl, signal: o.signal });
        const file = `mirror/signatures/${h.version}.yaml`;
        await put(file, signatureConfigMap(h.digest, sig.bytes));
        await add(file, 'upgrade-signature');
        hops.push({ version: h.version, image, signature: 'verified', signatureFile: file, releaseTag: h.releaseTag });
      }
      upgrade = { from: o.from, hops };
      step(`upgrade path ${describePath(upgrade)}`);
    }
    if (base) {
      step(`leaving out what ${base.base.name} already carries`);
      const { kept: left, delta } = await dropBase(join(tmp, 'registry'), base);
      registry = { ...registry, ...treeHash(left), delta };
      await put(BASE_LISTING, listingText(base.files));
      await add(BASE_LISTING, 'registry-base');
    }
    if (existsSync(join(tmp, 'mirror/idms-oc-mirror.yaml')))
      await add('mirror/idms-oc-mirror.yaml', 'image-digest-sources');
    if (existsSync(join(tmp, 'mirror/itms-oc-mirror.yaml')))
      await add('mirror/itms-oc-mirror.yaml', 'image-tag-sources');
    step(`saving the registry image from ${o.registryImage}`);
    await mkdir(join(tmp, 'images'), { recursive: true });
    const imageType = await saveRegistryImage({
      source: o.registryImage,
      archive: join(tmp, 'images/registry.oci.tar'),
      name: REGISTRY_IMAGE_NAME,
      authfile: o.pullSecret,
      signal: o.signal,
    });
    if (imageType === DOCKER_LIST)
      step(`${o.registryImage} is a Docker manifest list: saved converted to an OCI index (the layers unchanged)`);
    await add('images/registry.oci.tar', 'registry-image');
    const manifest = {
      format: 'fyr-content/2',
      release: {
        name: `ocp-${o.version}-${o.arch}`,
        openshift: o.version,
        rhcos: rhcos.release,
        image: release.pinned,
        arch: o.arch,
        signature: o.insecureSkipSignature ? 'skipped' : 'verified',
      },
      tools: { ...tools, ...(await otherVersions(o.insecureSkipSignature)) },
      files: files.sort((a, b) => (a.path < b.path ? -1 : 1)),
      registry,
      ...(upgrade ? { upgrade } : {}),
      ...(operators ? { operators } : {}),
    };
    await put('fyr-content.json', `${JSON.stringify(manifest, null, 2)}\n`);
    throwIfAborted(o.signal, `${o.out} was complete`);
    if (existsSync(out)) await rm(out, { recursive: true, force: true });
    await rename(tmp, out);
    return { out, manifest, ...counts };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function fetchRhcos(
  tmp: string,
  cache: string,
  rhcos: RhcosArtifacts,
  o: ContentOptions,
  add: (path: string, role: ContentRole, sha256?: string) => Promise<void>,
): Promise<{ downloaded: number; reused: number }> {
  let downloaded = 0;
  let reused = 0;
  await mkdir(join(tmp, 'rhcos'), { recursive: true });
  for (const a of rhcos.artifacts) {
    o.onProgress?.({ phase: 'step', message: `RHCOS ${a.role.replace('rhcos-', '')}: ${a.url}` });
    const got = await download(join(cache, 'downloads'), a, {
      signal: o.signal,
      backoffMs: o.downloadBackoffMs ?? 1000,
      onProgress: (e) => o.onProgress?.({ ...e, phase: 'download' }),
    });
    if (got.downloaded) downloaded++;
    else reused++;
    const path = `rhcos/${basename(new URL(a.url).pathname)}`;
    // A hard link when the cache is on the same file system: no second copy of gigabytes.
    await link(got.path, join(tmp, path)).catch(() =>
      copyFile(got.path, join(tmp, path)).catch((err: unknown) => {
        throw writeError(err, join(o.out, path));
      }),
    );
    await add(path, a.role, a.sha256);
  }
  return { downloaded, reused };
}

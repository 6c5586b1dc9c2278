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
import { download } from './download.js';
import { registryProgram } from './mirror.js';
import { mirrorRelease } from './mirror-release.js';
import { DOCKER_LIST, saveRegistryImage } from './registry-image.js';
import { checkPullSecret, resolveRelease, type Arch, type ReleaseImage } from './release-info.js';
import { signatureConfigMap, verifySignature, type VerifiedSignature } from './signature.js';
import { gpg, installerVersion, oc, ocMirror, openshiftInstall, registry as registryArgv, skopeo } from './tools.js';
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
  await checkPullSecret(o.pullSecret);
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
    const { registry, operators, kept } = await mirrorRelease(tmp, cache, release, signature, o);
    for (const k of kept) await add(k.path, k.role);
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

async function extractTools(tmp: string, o: ContentOptions, release: ReleaseImage): Promise<Record<string, string>> {
  const bin = join(tmp, 'bin');
  for (const command of ['openshift-install', 'oc'] as const) {
    o.onProgress?.({ phase: 'step', message: `extracting ${command} from the release` });
    await runTool('oc', oc.extract(o.pullSecret, command, bin, release.pinned), {
      signal: o.signal,
      timeoutMs: 30 * 60_000,
    });
  }
  // The installer must be the pinned release's: its stream is what RHCOS is checked against.
  const said = (await runTool(join(bin, 'openshift-install'), openshiftInstall.version())).stdout;
  if (!said.split('\n').some((l) => l.trim() === `release image ${release.pinned}`))
    throw new FyrError('RELEASE_MISMATCH', `the extracted openshift-install does not name ${release.pinned}`, {
      details: said.trim().split('\n').slice(0, 4),
    });
  const ocSaid = (await runTool(join(bin, 'oc'), oc.version())).stdout;
  return {
    'openshift-install': installerVersion(said),
    oc: /Client Version: (\S+)/.exec(ocSaid)?.[1] ?? 'unknown',
  };
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

async function otherVersions(skipGpg: boolean): Promise<Record<string, string>> {
  const first = async (file: string, args: string[]) =>
    (await runTool(file, args).catch(() => ({ stdout: 'unknown' }))).stdout.split('\n')[0]!.trim();
  return {
    'oc-mirror': /GitVersion:"([^"]+)"/.exec(await first('oc-mirror', ocMirror.version()))?.[1] ?? 'unknown',
    skopeo: (await first('skopeo', skopeo.version())).replace(/^skopeo version /, ''),
    registry: (await first(registryProgram(), registryArgv.version())).replace(/^\S+ \S+ /, ''),
    ...(skipGpg ? {} : { gpg: (await first('gpg', gpg.version())).replace(/^gpg \(GnuPG\) /, '') }),
  };
}

// The release (and the operators asked for) mirrored with oc-mirror into the loopback registry
// whose tree lands in the content directory: the IDMS/ITMS kept with the placeholder, the
// tree's self-check, and for operators the filtered catalog read back from the tree, what its
// bundles require mirrored in further runs, and oc-mirror's CatalogSource and ClusterCatalog
// kept with the placeholder too.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { FyrError } from '../errors.js';
import { catalogFor, type OperatorCatalog, type OperatorRequest } from '../formats/operator-catalog.js';
import type { ContentRole } from '../release/content-schema.js';
import { verifyTree } from '../registry/tree.js';
import { yamlDocuments } from '../site/source.js';
import { writeError } from '../util/write-error.js';
import { catalogPackages, missingRequired, readCatalog, type FbcDocument } from './catalog.js';
import type { LongWork, ProgressEvent } from '../util/progress.js';
import {
  dropUploads,
  handOverSignature,
  imageSetConfig,
  linkTree,
  mirroredReleaseTag,
  readMirrorSets,
  REGISTRY_PLACEHOLDER,
  runMirror,
  startRegistry,
} from './mirror.js';
import type { ReleaseChannel } from './image-set.js';
import type { ReleaseImage } from './release-info.js';
import { missingSigstore, readHops, type MirroredHop } from './upgrade.js';
import type { VerifiedSignature } from './signature.js';

// What fyr content's options say of the mirroring.
export interface MirrorReleaseOptions extends LongWork<ProgressEvent<'step' | 'download' | 'mirror' | 'warning'>> {
  out: string;
  pullSecret: string;
  additionalImages: readonly string[];
  operators?: readonly OperatorRequest[] | undefined;
  mirrorAttempts?: number | undefined;
  retryDelayMs?: number | undefined;
  // fyr content --from: the channels of the path instead of the pinned release; the hops are
  // read back from the tree.
  upgrade?: { from: string; channels: readonly ReleaseChannel[]; signatureUrl: string } | undefined;
}

export async function mirrorRelease(
  tmp: string,
  cache: string,
  release: ReleaseImage,
  signature: VerifiedSignature | undefined,
  o: MirrorReleaseOptions,
) {
  const work = join(cache, 'oc-mirror');
  await mkdir(work, { recursive: true });
  const asked = o.operators ?? [];
  const catalog = catalogFor(release.version);
  const iscFor = (packages: readonly OperatorRequest[]) =>
    imageSetConfig(
      release.pinned,
      o.additionalImages,
      packages.length > 0 ? { catalog, packages } : undefined,
      o.upgrade?.channels,
    );
  // The registry's tree lives in the cache, one per image set asked for, so a second run for the
  // same version mirrors nothing new; DIR gets its files as hard links.
  const key = createHash('sha256').update(iscFor(asked)).digest('hex').slice(0, 16);
  const root = join(cache, 'registry', `${release.version}-${release.arch}-${key}`);
  const config = join(work, `isc-${release.version}-${release.arch}-${key}.yaml`);
  // The packages the last run needed besides those asked for (dependencies), so the next
  // starts with them.
  const closureFile = join(work, `operators-${release.version}-${release.arch}-${key}.json`);
  let packages: OperatorRequest[] = [...asked];
  if (asked.length > 0) {
    const known = (await readFile(closureFile, 'utf8').then(JSON.parse, () => [])) as unknown;
    for (const name of Array.isArray(known) ? known : [])
      if (typeof name === 'string' && !packages.some((p) => p.name === name)) packages.push({ name });
  }
  const registry = await startRegistry(root, join(work, `registry-${process.pid}.yml`));
  const workspace = join(work, `${release.version}-${release.arch}`);
  const resources = join(workspace, 'working-dir/cluster-resources');
  const releaseKey = signature ? await handOverSignature(workspace, release.digest, signature) : undefined;
  let found: CatalogResources | undefined;
  let docs: FbcDocument[] = [];
  try {
    // oc-mirror v2 mirrors the packages it is given and none they require
    // (docs/dev-investigations/operator-filtering-investigation.md): the filtered catalog's
    // bundles name what they require (olm.package.required), which is added and mirrored in
    // another run, until nothing is missing.
    for (let round = 1; ; round++) {
      await writeFile(config, iscFor(packages));
      await runMirror({
        releaseKey,
        signatureUrl: o.upgrade?.signatureUrl,
        config,
        workspace,
        cacheDir: work,
        authfile: o.pullSecret,
        registry: registry.host,
        attempts: o.mirrorAttempts ?? 5,
        retryDelayMs: o.retryDelayMs ?? 5000,
        signal: o.signal,
        onAttempt: (n, why) =>
          o.onProgress?.({ phase: 'warning', message: `oc-mirror run ${n}: ${why}; running it again` }),
        onImages: (done, total) => o.onProgress?.({ phase: 'mirror', done, total }),
      });
      if (asked.length === 0) break;
      o.onProgress?.({ phase: 'step', message: `reading the mirrored catalog ${catalog}` });
      found = await catalogResources(resources, registry.host, catalog);
      docs = await readCatalog(root, found.repo, found.tag);
      const missing = missingRequired(docs);
      if (missing.length === 0) break;
      if (round >= 8)
        throw new FyrError(
          'MIRROR_FAILED',
          `the operators' dependencies are still missing after ${round} oc-mirror runs`,
          {
            details: [`missing: ${missing.join(', ')}`],
          },
        );
      o.onProgress?.({
        phase: 'step',
        message: `the mirrored bundles require ${missing.join(', ')}: mirroring them too`,
      });
      packages = [...packages, ...missing.map((name) => ({ name }))];
      await writeFile(
        closureFile,
        JSON.stringify(packages.filter((p) => !asked.some((a) => a.name === p.name)).map((p) => p.name)),
      );
    }
  } finally {
    await registry.stop();
  }
  const idms = await readMirrorSets(join(resources, 'idms-oc-mirror.yaml'), 'ImageDigestMirrorSet', registry.host);
  await mkdir(join(tmp, 'mirror'), { recursive: true });
  await writeFile(join(tmp, 'mirror/idms-oc-mirror.yaml'), idms.text);
  if (existsSync(join(resources, 'itms-oc-mirror.yaml')))
    await writeFile(
      join(tmp, 'mirror/itms-oc-mirror.yaml'),
      (await readMirrorSets(join(resources, 'itms-oc-mirror.yaml'), 'ImageTagMirrorSet', registry.host)).text,
    );
  await dropUploads(root, ['openshift/release', 'openshift/release-images']);
  o.onProgress?.({ phase: 'step', message: 'self-check of the registry tree: every blob against its name' });
  const checked = await verifyTree(root);
  // <version>-<arch> from the signed identity; the bare hex digest when the check was skipped.
  const tag = mirroredReleaseTag(signature?.identity ?? release.pinned);
  const releaseTag = `openshift/release-images:${tag}`;
  const tagLink = join(
    root,
    `docker/registry/v2/repositories/openshift/release-images/_manifests/tags/${tag}/current/link`,
  );
  const tagged = (await readFile(tagLink, 'utf8').catch(() => '')).trim();
  if (tagged !== release.digest)
    checked.problems.push(`${relative(root, tagLink)}: names ${tagged || 'nothing'}, not the pinned ${release.digest}`);
  if (checked.problems.length > 0)
    throw new FyrError(
      'MIRROR_FAILED',
      `the mirrored registry tree fails its self-check (${checked.problems.length} problem(s))`,
      { details: [...checked.problems.slice(0, 10), `The tree is ${root}; delete it to mirror again from the start.`] },
    );
  let hops: MirroredHop[] | undefined;
  if (o.upgrade) {
    o.onProgress?.({ phase: 'step', message: 'reading the upgrade path back from the tree' });
    hops = await readHops(root, {
      from: o.upgrade.from,
      target: release,
      arch: release.arch,
      pullSecret: o.pullSecret,
      signal: o.signal,
    });
    const lacking = missingSigstore(root, hops);
    if (lacking.length > 0)
      throw new FyrError(
        'MIRROR_FAILED',
        `the tree lacks the sigstore signature of ${lacking.map((h) => h.version).join(', ')}, which clusters verify from 4.21`,
        {
          details: lacking.map(
            (h) =>
              `no openshift/release-images:${h.digest.replace(':', '-')}.sig (oc-mirror copies it unless --remove-signatures)`,
          ),
        },
      );
  }
  let operators: OperatorCatalog | undefined;
  const kept: Array<{ path: string; role: ContentRole }> = [];
  if (found) {
    operators = {
      source: catalog,
      mirror: `${found.repo}:${found.tag}`,
      catalogSource: found.catalogSource,
      packages: catalogPackages(docs, asked, catalog),
    };
    for (const f of found.files) {
      const text = placeholderYaml(await readFile(join(resources, f.name), 'utf8'), registry.host);
      if (text === undefined)
        throw new FyrError(
          'MIRROR_FAILED',
          `${join(resources, f.name)} names the loopback registry where fyr cannot replace it`,
        );
      await writeFile(join(tmp, 'mirror', f.name), text).catch((err: unknown) => {
        throw writeError(err, join(o.out, 'mirror', f.name));
      });
      kept.push({ path: `mirror/${f.name}`, role: f.role });
    }
  }
  await linkTree(root, join(tmp, 'registry'), o.out);
  return {
    registry: { path: 'registry', ...checked.summary, releaseTag, imageDigestSources: idms.sources },
    operators,
    kept,
    hops,
  };
}

// A YAML file oc-mirror wrote with the loopback registry replaced by the placeholder, as in the
// IDMS: each value naming it becomes a JSON-quoted string (a plain scalar cannot start with
// "@"), so the file stays YAML before and after the agent puts its registry in. undefined when
// the registry is named anywhere else.
export function placeholderYaml(text: string, loopback: string): string | undefined {
  const out = text
    .split('\n')
    .map((line) => {
      const m = /^(\s*(?:- )?[A-Za-z0-9_.-]+: +)(["']?)([^"'\s]+)\2\s*$/.exec(line);
      if (!m || !m[3]!.startsWith(`${loopback}/`)) return line;
      return `${m[1]}${JSON.stringify(`${REGISTRY_PLACEHOLDER}/${m[3]!.slice(loopback.length + 1)}`)}`;
    })
    .join('\n');
  return out.includes(loopback) ? undefined : out;
}

interface CatalogResources {
  files: Array<{ name: string; role: ContentRole }>;
  catalogSource: string;
  // The filtered catalog in the registry (no host).
  repo: string;
  tag: string;
}

// oc-mirror's CatalogSource (cs-*.yaml) and ClusterCatalog (cc-*.yaml) for the catalog: the
// CatalogSource's name and its image inside the registry (repository and tag, no host).
async function catalogResources(resources: string, loopback: string, catalog: string): Promise<CatalogResources> {
  const names = await readdir(resources).catch(() => [] as string[]);
  const pick = (prefix: string) => names.filter((n) => n.startsWith(prefix) && /\.ya?ml$/.test(n)).sort();
  const cs = pick('cs-');
  const cc = pick('cc-');
  if (cs.length !== 1)
    throw new FyrError(
      'MIRROR_FAILED',
      `oc-mirror wrote ${cs.length === 0 ? 'no CatalogSource' : `${cs.length} CatalogSources (${cs.join(', ')})`} for ${catalog} in ${resources}`,
    );
  const file = join(resources, cs[0]!);
  const doc = (yamlDocuments(await readFile(file, 'utf8')) ?? [])[0] as
    { kind?: unknown; metadata?: { name?: unknown }; spec?: { image?: unknown } } | undefined;
  if (doc?.kind !== 'CatalogSource' || typeof doc.metadata?.name !== 'string' || typeof doc.spec?.image !== 'string')
    throw new FyrError('MIRROR_FAILED', `${file} is not a CatalogSource with a name and an image`);
  const image = doc.spec.image;
  const m = /^([a-z0-9._/-]+):([A-Za-z0-9._-]+)$/.exec(
    image.startsWith(`${loopback}/`) ? image.slice(loopback.length + 1) : '',
  );
  if (!m)
    throw new FyrError(
      'MIRROR_FAILED',
      `the CatalogSource ${doc.metadata.name} names ${image}, not a tag in the registry ${loopback}`,
    );
  return {
    files: [
      { name: cs[0]!, role: 'catalog-source' },
      ...(cc.length === 1 ? [{ name: cc[0]!, role: 'cluster-catalog' as const }] : []),
    ],
    catalogSource: doc.metadata.name,
    repo: m[1]!,
    tag: m[2]!,
  };
}

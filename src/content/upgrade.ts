// fyr content --from: the checks of an upgrade path before oc-mirror runs (a downgrade, the same
// version, a step that skips a minor), and after it the hops read back from the mirrored tree:
// every release tag in openshift/release-images, each digest's version as `oc adm release info`
// reports it (as fyr can with the real oc-mirror, whose tags are the signed identities' or bare
// digests), in version order, from the running version to the target, no step across a minor,
// and from 4.21 each release's sigstore signature tag (sha256-<hex>.sig), which CRI-O requires
// once the openshift ClusterImagePolicy is GA.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FyrError } from '../errors.js';
import { compareVersions, minorOf, parseVersion, skippedMinor } from '../formats/upgrade-path.js';
import { runTool } from '../util/tools.js';
import type { Arch } from './release-info.js';
import { oc, RELEASE_REPO } from './tools.js';

const GOARCH: Record<Arch, string> = { x86_64: 'amd64', aarch64: 'arm64', ppc64le: 'ppc64le', s390x: 's390x' };
const TAGS = 'docker/registry/v2/repositories/openshift/release-images/_manifests/tags';

// The path asked for: from < via… < to, each step within a minor or to the next one.
export function checkAskedPath(from: string, to: string, via: readonly string[]): void {
  for (const v of [from, ...via])
    if (!parseVersion(v))
      throw new FyrError('UPGRADE_PATH_INVALID', `${v}: expected an OpenShift version such as 4.18.9`);
  if (compareVersions(from, to) === 0)
    throw new FyrError(
      'UPGRADE_PATH_INVALID',
      `--from ${from} is the release itself (--openshift ${to}): nothing to upgrade`,
    );
  if (compareVersions(from, to) > 0)
    throw new FyrError(
      'UPGRADE_PATH_INVALID',
      `--from ${from} is newer than --openshift ${to}: OpenShift does not downgrade`,
      { details: ['Give the version the site runs as --from and a newer one as --openshift.'] },
    );
  const points = [from, ...via, to];
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1]!, points[i]!];
    if (compareVersions(a, b) >= 0)
      throw new FyrError('UPGRADE_PATH_INVALID', `--via ${b} is not newer than ${a}: the path must go up at each step`);
    const skipped = skippedMinor(a, b);
    if (skipped)
      throw new FyrError(
        'UPGRADE_PATH_INVALID',
        `${minorOf(a)} → ${minorOf(b)} needs a ${skipped} release: add --via ${skipped}.z (a ${skipped} release ${a} updates to)`,
        {
          details: [
            `OpenShift updates one minor at a time (the cluster refuses ${a} → ${b}), and oc-mirror does not add the intermediate minor itself.`,
          ],
        },
      );
  }
}

export interface MirroredHop {
  version: string;
  digest: string;
  // openshift/release-images:<tag>
  releaseTag: string;
}

// Every release image tagged in the tree (sigstore .sig tags left out), by digest.
export function releaseTags(root: string): Array<{ tag: string; digest: string }> {
  let names: string[];
  try {
    names = readdirSync(join(root, TAGS));
  } catch {
    return [];
  }
  return names
    .filter((t) => !t.endsWith('.sig'))
    .sort()
    .map((tag) => ({ tag, digest: readFileSync(join(root, TAGS, tag, 'current/link'), 'utf8').trim() }));
}

// The releases oc-mirror mirrored, as hops after `from`: each tag's digest resolved with oc,
// sorted by version; refused when it does not reach the target, or a step skips a minor.
export async function readHops(
  root: string,
  o: {
    from: string;
    target: { version: string; digest: string };
    arch: Arch;
    pullSecret: string;
    signal?: AbortSignal | undefined;
  },
): Promise<MirroredHop[]> {
  const byDigest = new Map<string, MirroredHop>();
  for (const { tag, digest } of releaseTags(root)) {
    const known = byDigest.get(digest);
    // A release tagged twice (identity and digest): keep the identity's tag.
    if (known && /^[0-9a-f]{64}$/.test(tag)) continue;
    if (known) {
      known.releaseTag = `openshift/release-images:${tag}`;
      continue;
    }
    const out = (
      await runTool('oc', oc.releaseInfo(o.pullSecret, `${RELEASE_REPO}@${digest}`), {
        signal: o.signal,
        timeoutMs: 10 * 60_000,
      })
    ).stdout;
    const info = JSON.parse(out) as { metadata?: { version?: string }; config?: { architecture?: string } };
    const version = info.metadata?.version;
    if (!version || !parseVersion(version))
      throw new FyrError('UPGRADE_PATH_BROKEN', `the release ${RELEASE_REPO}@${digest} in the tree reports no version`);
    if (info.config?.architecture !== GOARCH[o.arch])
      throw new FyrError(
        'UPGRADE_PATH_BROKEN',
        `oc-mirror mirrored ${version} for ${info.config?.architecture ?? 'no architecture'}, not ${o.arch}`,
      );
    byDigest.set(digest, { version, digest, releaseTag: `openshift/release-images:${tag}` });
  }
  const all = [...byDigest.values()].sort((a, b) => compareVersions(a.version, b.version));
  const hops = all.filter((h) => compareVersions(h.version, o.from) > 0);
  const last = hops.at(-1);
  const mirrored = all.map((h) => h.version).join(', ') || 'none';
  if (!last || last.version !== o.target.version || last.digest !== o.target.digest)
    throw new FyrError(
      'UPGRADE_PATH_BROKEN',
      `oc-mirror's path from ${o.from} does not end at ${o.target.version} (${o.target.digest}); it mirrored: ${mirrored}`,
    );
  const points = [o.from, ...hops.map((h) => h.version)];
  for (let i = 1; i < points.length; i++) {
    const skipped = skippedMinor(points[i - 1]!, points[i]!);
    if (skipped)
      throw new FyrError(
        'UPGRADE_PATH_BROKEN',
        `the path oc-mirror mirrored goes ${points[i - 1]} → ${points[i]} and needs a ${skipped} release: add --via ${skipped}.z`,
        { details: [`Mirrored: ${mirrored}.`] },
      );
  }
  return hops;
}

// From 4.21 CRI-O verifies the release's sigstore signature (the openshift ClusterImagePolicy),
// so the tree must carry openshift/release-images:sha256-<hex>.sig: the hops that lack it.
export function missingSigstore(root: string, hops: readonly MirroredHop[]): MirroredHop[] {
  const tags = new Set(readdirSafe(join(root, TAGS)));
  return hops.filter((h) => {
    const v = parseVersion(h.version);
    return v && (v.major > 4 || (v.major === 4 && v.minor >= 21)) && !tags.has(`${h.digest.replace(':', '-')}.sig`);
  });
}

const readdirSafe = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

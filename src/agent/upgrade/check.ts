// What makes an upgrade stick usable on this bastion, as pure checks: a release with an upgrade
// path, for this architecture, starting at the version the cluster runs (or passing through it:
// the rest of a path an earlier upgrade stopped on), only ever forward, each
// hop signed (unless the site allows unsigned releases), and for a delta stick, built on the
// registry tree this bastion serves. Every problem is said, none is fixed.
import type { ReleaseInfo } from '../../formats/release-json.js';
import type { DeltaBase, UpgradePath } from '../../formats/upgrade-path.js';

export type UpgradeRelease = ReleaseInfo & {
  upgrade?: UpgradePath;
  registry?: ReleaseInfo['registry'] & { delta?: { base: DeltaBase; mergedSha256: string; mergedFiles: number } };
};

export interface Served {
  // The cluster's version now (ClusterVersion's last Completed).
  running: string;
  arch: string;
  // The registry tree the bastion serves: the install's, or the last merge's.
  tree: { sha256: string; files: number };
  allowUnsigned: boolean;
}

// Compares dotted versions numerically (4.18.12 > 4.18.9); pre-release tails are ignored.
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/).slice(0, 3).map(Number);
  const pb = b.split(/[.+-]/).slice(0, 3).map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

const minor = (v: string) => v.split('.').slice(0, 2).map(Number) as [number, number];

export function upgradeRefusals(stick: UpgradeRelease, served: Served): string[] {
  const path = stick.upgrade;
  if (!path || path.hops.length === 0)
    return [
      `the stick holds release ${stick.release.name} (OpenShift ${stick.release.openshift}) with no upgrade path: make one with fyr content --openshift VERSION --from ${served.running}`,
    ];
  const out: string[] = [];
  const arch = stick.release.arch ?? 'x86_64';
  if (arch !== served.arch) out.push(`the stick is for ${arch}; this cluster runs ${served.arch}`);
  // A cluster part-way along this path (an earlier upgrade with this stick stopped after a hop)
  // takes the rest of it.
  if (path.from !== served.running && !path.hops.some((h) => h.version === served.running))
    out.push(
      `the stick's path starts at ${path.from}; this cluster runs ${served.running} (fyr content --from ${served.running})`,
    );
  let at = path.from;
  for (const hop of path.hops) {
    if (compareVersions(hop.version, at) <= 0)
      out.push(`hop to ${hop.version} is not newer than ${at}: OpenShift is never downgraded`);
    const [m0, n0] = minor(at);
    const [m1, n1] = minor(hop.version);
    if (m1 !== m0 || n1 > n0 + 1)
      out.push(`hop ${at} → ${hop.version} skips a minor version; the cluster takes one at a time`);
    if (!/@sha256:[0-9a-f]{64}$/.test(hop.image))
      out.push(`hop to ${hop.version} names its release by tag (${hop.image}), not by digest`);
    if (hop.signature !== 'verified' && !served.allowUnsigned)
      out.push(
        `the release ${hop.version} was not signature-checked when the stick was made (fyr content --insecure-skip-signature); the site does not allow unsigned releases`,
      );
    if (hop.signature === 'verified' && !hop.signatureFile)
      out.push(`hop to ${hop.version} carries no signature ConfigMap: the cluster could not verify it offline`);
    at = hop.version;
  }
  const delta = stick.registry?.delta;
  if (delta && (delta.base.treeSha256 !== served.tree.sha256 || delta.base.files !== served.tree.files))
    out.push(
      `the stick is a delta on ${delta.base.name} (registry tree ${delta.base.treeSha256.slice(0, 12)}, ${delta.base.files} files); this bastion serves ${served.tree.sha256.slice(0, 12)} (${served.tree.files} files): use a full upgrade stick, or one made with --delta-from this bastion's release`,
    );
  if (!stick.registry) out.push('the stick carries no registry tree: nothing to serve the new release from');
  return out;
}

// Time to expect per hop (day2.md §1.5): the cluster-version operator's part, then each node
// drained, rebooted and Ready again, one at a time.
export const PAYLOAD_MINUTES = 60;
export const NODE_MINUTES = 15;
export const hopMinutes = (nodes: number) => PAYLOAD_MINUTES + NODE_MINUTES * nodes;

// The release as quay.io describes it (oc adm release info -o json), checked against what was
// asked: the version it reports and its architecture. Pinned by the digest it reports.
import { readFile } from 'node:fs/promises';
import { FyrError } from '../errors.js';
import { runTool } from '../util/tools.js';
import { oc, RELEASE_REPO, releaseTag } from './tools.js';

export const ARCHES = ['x86_64', 'aarch64', 'ppc64le', 's390x'] as const;
export type Arch = (typeof ARCHES)[number];
// Go's names, which the release image's config uses.
const GOARCH: Record<Arch, string> = { x86_64: 'amd64', aarch64: 'arm64', ppc64le: 'ppc64le', s390x: 's390x' };

export interface ReleaseImage {
  version: string;
  arch: Arch;
  digest: string;
  // quay.io/openshift-release-dev/ocp-release@sha256:...
  pinned: string;
}

// The pull secret must be an auth file with quay.io in it; its content is never shown.
export async function checkPullSecret(file: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new FyrError(
      'PULL_SECRET_INVALID',
      `${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let auths: unknown;
  try {
    auths = (JSON.parse(text) as { auths?: unknown }).auths;
  } catch {
    throw new FyrError('PULL_SECRET_INVALID', `${file}: not JSON`, {
      details: ['Expected the pull secret from console.redhat.com: {"auths": {"quay.io": {"auth": "..."}, ...}}.'],
    });
  }
  if (typeof auths !== 'object' || auths === null || !('quay.io' in auths))
    throw new FyrError('PULL_SECRET_INVALID', `${file}: no "auths" entry for quay.io`, {
      details: ['Expected the pull secret from console.redhat.com: {"auths": {"quay.io": {"auth": "..."}, ...}}.'],
    });
}

export async function resolveRelease(
  pullSecret: string,
  version: string,
  arch: Arch,
  signal?: AbortSignal,
): Promise<ReleaseImage> {
  const tag = releaseTag(version, arch);
  let out: string;
  try {
    out = (await runTool('oc', oc.releaseInfo(pullSecret, tag), { signal, timeoutMs: 10 * 60_000 })).stdout;
  } catch (err) {
    const said = err instanceof FyrError ? err.detailLines.join('\n') : '';
    if (/manifest unknown|not found/i.test(said))
      throw new FyrError('RELEASE_NOT_FOUND', `${tag}: no such release image`, {
        details: [`OpenShift ${version} does not exist, or was not built for ${arch}.`],
      });
    if (/unauthorized|authentication required/i.test(said))
      throw new FyrError('PULL_SECRET_INVALID', `quay.io refused the pull secret for ${tag}`);
    throw err;
  }
  let info: { digest?: string; metadata?: { version?: string }; config?: { architecture?: string } };
  try {
    info = JSON.parse(out);
  } catch {
    throw new FyrError('RELEASE_MISMATCH', `oc adm release info printed no JSON for ${tag}`);
  }
  if (!/^sha256:[0-9a-f]{64}$/.test(info.digest ?? ''))
    throw new FyrError('RELEASE_MISMATCH', `oc adm release info reports no digest for ${tag}`);
  if (info.metadata?.version !== version)
    throw new FyrError(
      'RELEASE_MISMATCH',
      `${tag} reports version ${info.metadata?.version ?? 'none'}, not ${version}`,
    );
  if (info.config?.architecture !== GOARCH[arch])
    throw new FyrError(
      'RELEASE_MISMATCH',
      `${tag} is a release for ${info.config?.architecture ?? 'no architecture'}, not ${arch} (${GOARCH[arch]})`,
    );
  return { version, arch, digest: info.digest!, pinned: `${RELEASE_REPO}@${info.digest}` };
}

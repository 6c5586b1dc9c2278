// The tools a content directory records: oc and openshift-install extracted from the pinned
// release (the installer must name it), and the versions of the programs that made the content.
import { join } from 'node:path';
import { FyrError } from '../errors.js';
import { runTool } from '../util/tools.js';
import { registryProgram } from './mirror.js';
import type { ReleaseImage } from './release-info.js';
import { gpg, installerVersion, oc, ocMirror, openshiftInstall, registry as registryArgv, skopeo } from './tools.js';

export async function extractTools(
  tmp: string,
  o: {
    pullSecret: string;
    signal?: AbortSignal | undefined;
    onProgress?: ((e: { phase: 'step'; message: string }) => void) | undefined;
  },
  release: ReleaseImage,
): Promise<Record<string, string>> {
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

export async function otherVersions(skipGpg: boolean): Promise<Record<string, string>> {
  const first = async (file: string, args: string[]) =>
    (await runTool(file, args).catch(() => ({ stdout: 'unknown' }))).stdout.split('\n')[0]!.trim();
  return {
    'oc-mirror': /GitVersion:"([^"]+)"/.exec(await first('oc-mirror', ocMirror.version()))?.[1] ?? 'unknown',
    skopeo: (await first('skopeo', skopeo.version())).replace(/^skopeo version /, ''),
    registry: (await first(registryProgram(), registryArgv.version())).replace(/^\S+ \S+ /, ''),
    ...(skipGpg ? {} : { gpg: (await first('gpg', gpg.version())).replace(/^gpg \(GnuPG\) /, '') }),
  };
}

// The RHCOS stream (coreos/stream-metadata-go's format) as the installer prints it: for the
// architecture, the metal artifacts' build id and the PXE kernel, initramfs and rootfs, each a
// location and a sha256. Nothing else is taken: fyr's PXE menus use no metal image.
import { FyrError } from '../errors.js';
import type { ContentRole } from '../release/content-schema.js';

export interface RhcosArtifacts {
  release: string;
  artifacts: Array<{ role: ContentRole; url: string; sha256: string }>;
}

interface Artifact {
  location?: string;
  sha256?: string;
}

export function readStream(text: string, arch: string): RhcosArtifacts {
  let stream: {
    architectures?: Record<
      string,
      { artifacts?: { metal?: { release?: string; formats?: { pxe?: Record<string, Artifact> } } } }
    >;
  };
  try {
    stream = JSON.parse(text);
  } catch {
    throw new FyrError('RELEASE_MISMATCH', 'openshift-install coreos print-stream-json printed no JSON');
  }
  const metal = stream.architectures?.[arch]?.artifacts?.metal;
  const pxe = metal?.formats?.pxe;
  if (!metal?.release || !pxe)
    throw new FyrError('RELEASE_MISMATCH', `the installer's RHCOS stream has no ${arch} metal PXE artifacts`);
  const roles: Array<[string, ContentRole]> = [
    ['kernel', 'rhcos-kernel'],
    ['initramfs', 'rhcos-initramfs'],
    ['rootfs', 'rhcos-rootfs'],
  ];
  return {
    release: metal.release,
    artifacts: roles.map(([name, role]) => {
      const a = pxe[name];
      if (!a?.location || !/^[0-9a-f]{64}$/.test(a.sha256 ?? ''))
        throw new FyrError('RELEASE_MISMATCH', `the RHCOS stream's ${arch} pxe.${name} has no location or sha256`);
      return { role, url: a.location, sha256: a.sha256! };
    }),
  };
}

// The real registry for tests: Debian's docker-registry (the CNCF distribution registry) on
// loopback with fyr's own config, and the real skopeo pushing synthetic OCI images into it
// (test/doubles/oci.mjs). Stopped again by the caller's finally.
import { execa, type ResultPromise } from 'execa';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../src/content/mirror.js';
import { registryConfig } from '../../src/registry/config.js';
import { releaseImages, writeLayout } from '../doubles/oci.mjs';

export interface TestRegistry {
  port: number;
  host: string;
  log: () => string;
  stop: () => Promise<void>;
}

// readonly: distribution's read-only mode, over a read-only bind mount of `root` in a mount
// namespace of its own (as the stick is mounted at the site).
export async function startRegistry(root: string, o: { readonly?: boolean; dir: string }): Promise<TestRegistry> {
  const port = await freePort();
  const config = join(o.dir, `registry-${port}.yml`);
  writeFileSync(config, registryConfig({ root, addr: `127.0.0.1:${port}`, readonly: o.readonly ?? false }));
  let out = '';
  const child: ResultPromise = o.readonly
    ? execa(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec docker-registry serve "$2"',
          'sh',
          root,
          config,
        ],
        { reject: false, all: true },
      )
    : execa('docker-registry', ['serve', config], { reject: false, all: true });
  child.all?.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined);
    if (r?.status === 200) break;
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${out}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    host: `127.0.0.1:${port}`,
    log: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await child;
    },
  };
}

export const skopeo = (args: string[]) => execa('skopeo', args, { reject: false, all: true });

// Pushes the synthetic release of `version` (test/doubles/oci.mjs) as oc-mirror lays it out:
// openshift/release-images:<version>-<arch> and openshift/release:<version>-<arch>-<name>.
export async function pushRelease(
  host: string,
  scratch: string,
  version = '4.18.9',
  arch = 'x86_64',
  layerBytes = 4096,
): Promise<{ release: string }> {
  mkdirSync(scratch, { recursive: true });
  const images = writeLayout(scratch, releaseImages(version, arch, layerBytes));
  for (const [i, image] of images.entries()) {
    const to = i === 0 ? `openshift/release-images:${version}-${arch}` : `openshift/release:${image.ref}`;
    const r = await skopeo([
      'copy',
      '--quiet',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${scratch}:${image.ref}`,
      `docker://${host}/${to}`,
    ]);
    if (r.exitCode !== 0) throw new Error(`skopeo copy ${image.ref}: ${r.all}`);
  }
  return { release: images[0]!.digest };
}

// A registry tree written straight in distribution's on-disk layout (registry/storage/paths.go),
// for trees of thousands of files that skopeo would take minutes to push: `images` images of
// one layer of `layerBytes` each, in openshift/release as <tag>-<n>, 8 files an image (3 blobs,
// 5 links). The real registry serves it (test/release/release-tree.test.ts checks one pull).
export function writeSyntheticTree(root: string, o: { images: number; layerBytes: number; tag?: string }): void {
  const v2 = join(root, 'docker/registry/v2');
  const blob = (data: Buffer): string => {
    const hex = createHash('sha256').update(data).digest('hex');
    const at = join(v2, 'blobs/sha256', hex.slice(0, 2), hex);
    mkdirSync(at, { recursive: true });
    writeFileSync(join(at, 'data'), data);
    return hex;
  };
  const link = (path: string, hex: string) => {
    mkdirSync(join(v2, 'repositories/openshift/release', path), { recursive: true });
    writeFileSync(join(v2, 'repositories/openshift/release', path, 'link'), `sha256:${hex}`);
  };
  for (let n = 0; n < o.images; n++) {
    const layer = Buffer.alloc(o.layerBytes, n % 251);
    layer.write(`layer ${n}`, 0);
    const l = blob(layer);
    const config = Buffer.from(
      JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [`sha256:${l}`] } }),
    );
    const c = blob(config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${c}`, size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${l}`, size: layer.length }],
      }),
    );
    const m = blob(manifest);
    const tag = `${o.tag ?? 'synthetic'}-${n}`;
    link(`_layers/sha256/${l}`, l);
    link(`_layers/sha256/${c}`, c);
    link(`_manifests/revisions/sha256/${m}`, m);
    link(`_manifests/tags/${tag}/current`, m);
    link(`_manifests/tags/${tag}/index/sha256/${m}`, m);
  }
}

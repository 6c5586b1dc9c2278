// The real registry for tests: Debian's docker-registry (the CNCF distribution registry) on
// loopback with fyr's own config, and the real skopeo pushing synthetic OCI images into it
// (test/doubles/oci.mjs). Stopped again by the caller's finally.
import { execa, type ResultPromise } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { registryConfig } from '../../src/registry/config.js';
import { releaseImages, writeLayout } from '../doubles/oci.mjs';

export interface TestRegistry {
  port: number;
  host: string;
  log: () => string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
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

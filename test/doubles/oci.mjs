// Synthetic container images as OCI image layouts (image-spec v1.1 "oci-layout"), which the real
// skopeo copies into the real registry: used by the oc-mirror TEST DOUBLE (the release and its
// components) and by the tests that need a registry tree. Deterministic: the same image name
// and sizes give the same bytes, so the same digests in every run and in every double.
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const sha = (b) => createHash('sha256').update(b).digest('hex');

// A ustar header for one regular file (POSIX.1-1988), enough for a layer with one file.
function tarHeader(name, size) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0' + '00', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

// Writes a layer blob of about `size` bytes (a tar with one file of filler that differs per
// seed) straight into the layout; returns its digest and size. Streams, so gigabytes are fine.
function writeLayer(blobs, seed, size) {
  const tmp = join(blobs, `.layer-${process.pid}`);
  const fd = openSync(tmp, 'w');
  const hash = createHash('sha256');
  const put = (b) => {
    writeSync(fd, b);
    hash.update(b);
  };
  const body = Math.max(0, size - 1536);
  put(tarHeader(`${seed.replace(/[^a-z0-9._-]/gi, '_').slice(0, 90)}.bin`, body));
  // Filler: a 1 MiB block derived from the seed, its first 32 bytes varied per MiB.
  const block = Buffer.alloc(1 << 20);
  const base = createHash('sha256').update(seed).digest();
  for (let i = 0; i < block.length; i += 32) base.copy(block, i);
  for (let done = 0, n = 0; done < body; n++) {
    const len = Math.min(block.length, body - done);
    createHash('sha256').update(`${seed}:${n}`).digest().copy(block, 0);
    put(block.subarray(0, len));
    done += len;
  }
  const pad = (512 - (body % 512)) % 512;
  put(Buffer.alloc(pad + 1024));
  closeSync(fd);
  const digest = hash.digest('hex');
  renameSync(tmp, join(blobs, digest));
  return { digest, size: 512 + body + pad + 1024 };
}

function writeBlob(blobs, bytes) {
  const digest = sha(bytes);
  writeFileSync(join(blobs, digest), bytes);
  return { digest, size: bytes.length };
}

// images: [{ ref, layers: [bytes...], labels? }] -> an OCI layout at `dir` whose index names
// each image by `ref` (org.opencontainers.image.ref.name). Returns [{ ref, digest }].
export function writeLayout(dir, images) {
  const blobs = join(dir, 'blobs/sha256');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const manifests = [];
  const out = [];
  for (const image of images) {
    const layers = image.layers.map((size, i) => writeLayer(blobs, `${image.ref}#${i}`, size));
    const config = writeBlob(
      blobs,
      Buffer.from(
        JSON.stringify({
          architecture: 'amd64',
          os: 'linux',
          config: { Labels: image.labels ?? {} },
          rootfs: { type: 'layers', diff_ids: layers.map((l) => `sha256:${l.digest}`) },
        }),
      ),
    );
    const manifest = writeBlob(
      blobs,
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: `sha256:${config.digest}`,
            size: config.size,
          },
          layers: layers.map((l) => ({
            mediaType: 'application/vnd.oci.image.layer.v1.tar',
            digest: `sha256:${l.digest}`,
            size: l.size,
          })),
        }),
      ),
    );
    manifests.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${manifest.digest}`,
      size: manifest.size,
      annotations: { 'org.opencontainers.image.ref.name': image.ref },
    });
    out.push({ ref: image.ref, digest: `sha256:${manifest.digest}` });
  }
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
  return out;
}

// The synthetic release of an OpenShift version: the release image (its label names the
// version, as the real payload's io.openshift.release does) and a few component images.
// layerBytes sizes each component's layer; the release image's digest is what `oc adm release
// info` (the double) reports for the version.
export const COMPONENTS = ['installer', 'machine-config-operator', 'etcd', 'hyperkube'];
export function releaseImages(version, arch, layerBytes = 4096) {
  return [
    {
      ref: `release-${version}-${arch}`,
      layers: [2048],
      labels: { 'io.openshift.release': version, 'io.openshift.release.arch': arch },
    },
    ...COMPONENTS.map((name) => ({ ref: `${version}-${arch}-${name}`, layers: [layerBytes] })),
  ];
}

// The release image's digest without writing gigabytes: the release image alone.
export function releaseDigest(scratch, version, arch) {
  return writeLayout(scratch, releaseImages(version, arch).slice(0, 1))[0].digest;
}
